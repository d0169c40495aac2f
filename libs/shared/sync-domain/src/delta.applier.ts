import type { TwinDeltaV1 } from '@millwright/contracts';
import { sameJson } from './desired.merge';

/** The central copy of a twin, as far as deltas concern it. */
export interface CentralTwinState {
  version: number;
  lastSeq: number;
  reported: Record<string, [number, number, number]>;
  derived: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** Central desired state: owned centrally, edge changes accepted by the rule in `applyDelta`. */
  desired: Record<string, unknown>;
  desiredVersion: number;
}

export function newCentralTwin(): CentralTwinState {
  return { version: 0, lastSeq: -1, reported: {}, derived: {}, metadata: {}, desired: {}, desiredVersion: 0 };
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'gap';

export interface ApplyResult {
  outcome: ApplyOutcome;
  /** The edge's desired document became the central one (its version grew): send it back down. */
  desiredAccepted: boolean;
}

/**
 * Applies a delta to the central copy exactly once: a delta the copy already covers is a duplicate
 * (a redelivery after an outage), one that starts beyond it is a gap (the edge must send a
 * snapshot). Reported values still only move forward by sequence number, as at the edge.
 *
 * Desired state: the edge sends its whole document with the central version it had merged. Made on
 * the current central version, it is accepted as is (the edge already merged everything central
 * said). Made on an older one, it is ignored: the newer central document is on its way down, the edge
 * merges it (see `reconcileDesired`) and sends the result again, on the newer version.
 */
export function applyDelta(twin: CentralTwinState, d: TwinDeltaV1): ApplyResult {
  if (d.toVersion <= twin.version) return { outcome: 'duplicate', desiredAccepted: false };
  if (d.fromVersion > twin.version) return { outcome: 'gap', desiredAccepted: false };
  for (const r of d.reported ?? []) {
    for (const name in r.values) {
      const cur = twin.reported[name];
      if (!cur || cur[2] < r.seq) twin.reported[name] = [r.values[name], r.ts, r.seq];
    }
  }
  if (d.derived) twin.derived = { ...twin.derived, ...d.derived };
  if (d.metadata) twin.metadata = { ...twin.metadata, ...d.metadata };
  twin.version = d.toVersion;
  twin.lastSeq = Math.max(twin.lastSeq, d.lastSeq);
  let desiredAccepted = false;
  if (d.desired && d.desired.baseVersion === twin.desiredVersion && !sameJson(d.desired.doc, twin.desired)) {
    twin.desired = d.desired.doc;
    twin.desiredVersion += 1;
    desiredAccepted = true;
  }
  return { outcome: 'applied', desiredAccepted };
}
