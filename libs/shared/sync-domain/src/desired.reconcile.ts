import { mergeDesired, sameJson, type DesiredConflict } from './desired.merge';

/** What the edge keeps about desired state besides the document itself. */
export interface EdgeDesiredState {
  desired: Record<string, unknown>;
  /** The last central document merged, and its version: the base of the next three-way merge. */
  base: Record<string, unknown>;
  baseVersion: number;
}

export type ReconcileResult =
  | { kind: 'stale' }
  | { kind: 'merged'; state: EdgeDesiredState; conflicts: DesiredConflict[]; desiredChanged: boolean; edgeKeepsChanges: boolean };

/**
 * Takes a central desired document at the edge. Changes made at the edge since the last central
 * document (the base) survive where the central side did not touch the same field; where both
 * changed a field differently the central value wins and the conflict is returned for the record.
 * `edgeKeepsChanges`: the merged document still differs from the central one, so the edge must send
 * it up (on the new base version) for the central side to accept.
 */
export function reconcileDesired(cur: EdgeDesiredState, update: { version: number; desired: Record<string, unknown> }): ReconcileResult {
  if (update.version <= cur.baseVersion) return { kind: 'stale' };
  const { merged, conflicts } = mergeDesired(cur.base, cur.desired, update.desired);
  return {
    kind: 'merged',
    state: { desired: merged, base: update.desired, baseVersion: update.version },
    conflicts,
    desiredChanged: !sameJson(merged, cur.desired),
    edgeKeepsChanges: !sameJson(merged, update.desired),
  };
}
