import { Subjects, type TwinChangedV1 } from '@millwright/contracts';
import { publishJson } from '@millwright/messaging';
import type { TwinChangeFeed } from '@millwright/twin-data-access';
import type { NatsConnection } from 'nats';

/**
 * Announces a committed twin change to other services (core NATS, at most once) and to this
 * process's feed (every change, in order). The feed lives in data-access, which may not depend on
 * messaging, so the two are joined here.
 */
export function announceTwinChanged(nc: NatsConnection, feed: TwinChangeFeed, e: TwinChangedV1): void {
  publishJson(nc, Subjects.twinChanged(e.site, e.asset), e);
  feed.emit(e);
}
