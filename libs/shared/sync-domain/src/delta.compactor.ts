import type { TwinChangedV1, TwinDeltaV1 } from '@millwright/contracts';
import { composePatches } from './merge-patch.compose';

export type CompactOutcome = 'added' | 'stale' | 'gap';

/**
 * Folds twin-changed events into one delta per asset until `take()`: a twin that changes ten times
 * a second sends one message a second, holding only the newest value of each field. Events of one
 * asset must chain by version; a missing one is a gap the caller repairs with a full snapshot.
 */
export class DeltaCompactor {
  private readonly pending = new Map<string, TwinDeltaV1>();
  private readonly versions = new Map<string, number>();

  /** `knownVersion`: the version the receiver already has, when this asset is first seen. */
  add(e: TwinChangedV1, knownVersion?: number): CompactOutcome {
    const key = `${e.site}/${e.asset}`;
    const last = this.versions.get(key) ?? knownVersion;
    if (last !== undefined && e.version <= last) return 'stale';
    if (last !== undefined && e.fromVersion !== last) return 'gap';
    this.versions.set(key, e.version);
    let d = this.pending.get(key);
    if (!d) this.pending.set(key, (d = { site: e.site, asset: e.asset, fromVersion: e.fromVersion, toVersion: e.version, lastSeq: e.lastSeq }));
    d.toVersion = e.version;
    d.lastSeq = Math.max(d.lastSeq, e.lastSeq);
    for (const r of e.changes.readings ?? []) {
      d.reported ??= {};
      for (const [name, v] of Object.entries(r.values)) {
        const cur = d.reported[name];
        if (!cur || cur[2] < r.seq) d.reported[name] = [v, r.ts, r.seq];
      }
    }
    if (e.changes.desired) d.desired = composePatches(d.desired ?? {}, e.changes.desired) as Record<string, unknown>;
    if (e.changes.derived) d.derived = { ...d.derived, ...e.changes.derived };
    if (e.changes.metadata) d.metadata = { ...d.metadata, ...e.changes.metadata };
    return 'added';
  }

  /**
   * Restarts an asset's chain at `version` (after a snapshot was sent): what was pending for it is
   * covered by the snapshot and dropped.
   */
  restart(site: string, asset: string, version: number): void {
    const key = `${site}/${asset}`;
    this.pending.delete(key);
    this.versions.set(key, version);
  }

  /** The deltas gathered since the last call, oldest asset first; the compactor starts afresh. */
  take(): TwinDeltaV1[] {
    const out = [...this.pending.values()];
    this.pending.clear();
    return out;
  }

  get size(): number {
    return this.pending.size;
  }
}
