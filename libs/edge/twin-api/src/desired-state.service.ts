import { Inject, Injectable } from '@nestjs/common';
import { ApiErrorCode, Subjects, type TwinChangedV1 } from '@millwright/contracts';
import { NATS_CONNECTION, publishJson } from '@millwright/messaging';
import { StaleVersionError, TwinChangeFeed, TwinSqliteStore } from '@millwright/twin-data-access';
import { TwinDomainError, patchDesired, type AssetTwin, type JsonObject } from '@millwright/twin-domain';
import type { NatsConnection } from 'nats';
import { apiError } from '@millwright/observability';

const STATUS: Partial<Record<ApiErrorCode, number>> = { document_too_large: 413, document_too_deep: 400, invalid_merge_patch: 400 };

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
      if (e instanceof TwinDomainError) throw apiError(STATUS[e.code] ?? 400, e.code, e.message);
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
    publishJson(this.nc, Subjects.twinChanged(site, asset), event);
    this.feed.emit(event);
    return twin;
  }
}
