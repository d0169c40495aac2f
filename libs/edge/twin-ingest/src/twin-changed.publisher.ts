import { Subjects, encodeTwinChangeFrame, type TwinChangedV1 } from '@millwright/contracts';
import type { TwinChangeFeed } from '@millwright/twin-data-access';
import type { NatsConnection } from 'nats';

/**
 * Announces committed twin changes to other services (core NATS, at most once; one frame per site
 * and commit) and to this process's feed (every change, in order). The feed lives in data-access,
 * which may not depend on messaging, so the two are joined here.
 */
export function announceTwinChanges(nc: NatsConnection, feed: TwinChangeFeed, events: readonly TwinChangedV1[]): void {
  if (events.length === 0) return;
  const site = events[0].site;
  let sameSite = true;
  for (let i = 1; i < events.length && sameSite; i++) sameSite = events[i].site === site;
  if (sameSite) {
    nc.publish(Subjects.twinChanges(site), encodeTwinChangeFrame(site, events));
  } else {
    // A twin service normally serves one site; a store shared by several gets a frame per site.
    const bySite = new Map<string, TwinChangedV1[]>();
    for (const e of events) {
      let list = bySite.get(e.site);
      if (!list) bySite.set(e.site, (list = []));
      list.push(e);
    }
    for (const [s, list] of bySite) nc.publish(Subjects.twinChanges(s), encodeTwinChangeFrame(s, list));
  }
  for (const e of events) feed.emit(e);
}
