import type { TwinDeltaV1 } from '@millwright/contracts';

/** The central copy of a twin, as far as deltas concern it. */
export interface CentralTwinState {
  version: number;
  lastSeq: number;
  reported: Record<string, [number, number, number]>;
  derived: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export type ApplyOutcome = 'applied' | 'duplicate' | 'gap';

/**
 * Applies a delta to the central copy exactly once: a delta the copy already covers is a duplicate
 * (a redelivery after an outage), one that starts beyond it is a gap (the edge must send a
 * snapshot). Reported values still only move forward by sequence number, as at the edge.
 */
export function applyDelta(twin: CentralTwinState, d: TwinDeltaV1): ApplyOutcome {
  if (d.toVersion <= twin.version) return 'duplicate';
  if (d.fromVersion > twin.version) return 'gap';
  for (const [name, value] of Object.entries(d.reported ?? {})) {
    const cur = twin.reported[name];
    if (!cur || cur[2] < value[2]) twin.reported[name] = value;
  }
  if (d.derived) twin.derived = { ...twin.derived, ...d.derived };
  if (d.metadata) twin.metadata = { ...twin.metadata, ...d.metadata };
  twin.version = d.toVersion;
  twin.lastSeq = Math.max(twin.lastSeq, d.lastSeq);
  return 'applied';
}
