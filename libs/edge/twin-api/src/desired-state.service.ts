import { Inject, Injectable } from '@nestjs/common';
import { ApiErrorCode, type TwinChangedV1 } from '@millwright/contracts';
import { NATS_CONNECTION } from '@millwright/messaging';
import { desiredPatchStatus } from '@millwright/sync-domain';
import { StaleVersionError, TwinChangeFeed, TwinSqliteStore } from '@millwright/twin-data-access';
import { TwinDomainError, patchDesired, type AssetTwin, type JsonObject } from '@millwright/twin-domain';
import { announceTwinChanges } from '@millwright/twin-ingest';
import type { NatsConnection } from 'nats';
import { apiError } from '@millwright/observability';

/** Changes desired state under optimistic concurrency and announces the change. */
@Injectable()
export class DesiredStateService {
  constructor(
    private readonly store: TwinSqliteStore,
    private readonly feed: TwinChangeFeed,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  patch(site: string, asset: string, patch: unknown, expectedVersion: number | undefined, now = Date.now()): AssetTwin {
    if (!this.store.get(site, asset)) throw apiError(404, ApiErrorCode.TwinNotFound, `no twin for ${site}/${asset}`);
    let twin: AssetTwin;
    try {
      twin = this.store.update(site, asset, expectedVersion, (d) => (d.desired = patchDesired(d.desired, patch)), now);
    } catch (e) {
      if (e instanceof StaleVersionError) {
        throw apiError(412, ApiErrorCode.VersionMismatch, `If-Match names version ${expectedVersion}, the twin is at ${e.current}`, { currentVersion: e.current });
      }
      if (e instanceof TwinDomainError) throw apiError(desiredPatchStatus(e.code), e.code, e.message);
      throw e;
    }
    const event: TwinChangedV1 = {
      site,
      asset,
      version: twin.version,
      fromVersion: twin.version - 1,
      cause: 'desired',
      at: now,
      changes: { desired: patch as JsonObject },
      lastSeq: twin.lastSeq,
    };
    announceTwinChanges(this.nc, this.feed, [event]);
    return twin;
  }
}
