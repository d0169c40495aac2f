import { Logger } from '@nestjs/common';
import { Subjects, decodeTwinChangeFrame, encodeTwinChangeFrame, type TwinChangedV1 } from '@millwright/contracts';
import type { TwinChangeFeed } from '@millwright/twin-data-access';
import type { NatsConnection } from 'nats';
import type { ChangeFrame } from './ingest-batch.processor';

const log = new Logger('TwinChanges');
/** Below NATS's default 1 MiB max_payload with room to spare; a commit's changes go out in as many frames as it takes. */
const MAX_FRAME_BYTES = 512 * 1024;

/**
 * Announces committed twin changes to other services (core NATS, at most once; frames per site of
 * at most MAX_FRAME_BYTES or the server's max_payload) and to this process's feed (every change, in
 * order). The feed lives in data-access, which may not depend on messaging, so the two are joined
 * here. Never throws: the changes are committed, and a notification that cannot be sent is what
 * consumers already handle as a gap.
 */
export function announceTwinChanges(nc: NatsConnection, feed: TwinChangeFeed, events: readonly TwinChangedV1[]): void {
  if (events.length === 0) return;
  const limit = Math.min(MAX_FRAME_BYTES, nc.info?.max_payload ?? MAX_FRAME_BYTES);
  const site = events[0].site;
  let sameSite = true;
  for (let i = 1; i < events.length && sameSite; i++) sameSite = events[i].site === site;
  if (sameSite) {
    publishFrames(nc, site, events, limit);
  } else {
    // A twin service normally serves one site; a store shared by several gets frames per site.
    const bySite = new Map<string, TwinChangedV1[]>();
    for (const e of events) {
      let list = bySite.get(e.site);
      if (!list) bySite.set(e.site, (list = []));
      list.push(e);
    }
    for (const [s, list] of bySite) publishFrames(nc, s, list, limit);
  }
  for (const e of events) feed.emit(e);
}

function publishFrames(nc: NatsConnection, site: string, events: readonly TwinChangedV1[], limit: number): void {
  try {
    const frame = encodeTwinChangeFrame(site, events);
    if (frame.length <= limit || events.length === 1) {
      nc.publish(Subjects.twinChanges(site), frame);
      return;
    }
  } catch (e) {
    log.error(`${events.length} twin changes of ${site} not announced: ${(e as Error).message}`);
    return;
  }
  const half = events.length >> 1;
  publishFrames(nc, site, events.slice(0, half), limit);
  publishFrames(nc, site, events.slice(half), limit);
}

/**
 * Announces changes that come framed already (the telemetry path builds its frames from the bytes
 * it logged): published as they are, and read back into events only when this process's feed has
 * a listener. Never throws, as `announceTwinChanges`.
 */
export function announceTwinChangeFrames(nc: NatsConnection, feed: TwinChangeFeed, frames: readonly ChangeFrame[]): void {
  for (const f of frames) {
    try {
      nc.publish(Subjects.twinChanges(f.site), f.frame);
    } catch (e) {
      log.error(`${f.events} twin changes of ${f.site} not announced: ${(e as Error).message}`);
    }
    if (feed.active) for (const e of decodeTwinChangeFrame(f.frame).events) feed.emit(e);
  }
}
