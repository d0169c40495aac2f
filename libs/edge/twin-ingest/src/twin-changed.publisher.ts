import { Logger } from '@nestjs/common';
import { Subjects, decodeTwinChangeFrame, type TwinChangedV1 } from '@millwright/contracts';
import type { TwinChangeFeed } from '@millwright/twin-data-access';
import type { NatsConnection } from 'nats';
import { TwinChangeFramer, frameLimit, type ChangeFrame } from './twin-change.framer';

const log = new Logger('TwinChanges');

/**
 * Announces committed twin changes to other services (core NATS, at most once, frames per site of at
 * most `frameLimit`) and to this process's feed (every change, in order). The feed lives in
 * data-access, which may not depend on messaging, so the two are joined here. Never throws: the
 * changes are committed, and a notification that cannot be sent is what consumers already handle as
 * a gap.
 */
export function announceTwinChanges(nc: NatsConnection, feed: TwinChangeFeed, events: readonly TwinChangedV1[]): void {
  if (events.length === 0) return;
  const framer = new TwinChangeFramer(frameLimit(nc));
  let frames: ChangeFrame[] = [];
  try {
    for (const e of events) framer.writerFor(e.site).add(e);
    frames = framer.take();
  } catch (e) {
    log.error(`${events.length} twin changes not announced: ${(e as Error).message}`);
  }
  publish(nc, frames);
  for (const e of events) feed.emit(e);
}

/**
 * Announces changes that come framed already (the telemetry path builds its frames from the bytes
 * it logged): published as they are, and read back into events only when this process's feed has
 * a listener. Never throws, as `announceTwinChanges`.
 */
export function announceTwinChangeFrames(nc: NatsConnection, feed: TwinChangeFeed, frames: readonly ChangeFrame[]): void {
  publish(nc, frames);
  if (feed.active) for (const f of frames) for (const e of decodeTwinChangeFrame(f.frame).events) feed.emit(e);
}

function publish(nc: NatsConnection, frames: readonly ChangeFrame[]): void {
  for (const f of frames) {
    try {
      nc.publish(Subjects.twinChanges(f.site), f.frame);
    } catch (e) {
      log.error(`${f.events} twin changes of ${f.site} not announced: ${(e as Error).message}`);
    }
  }
}
