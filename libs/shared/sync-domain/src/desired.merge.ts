/** A desired field both sides changed during an outage, and what was kept. */
export interface DesiredConflict {
  field: string;
  base: unknown;
  edge: unknown;
  central: unknown;
  kept: 'central';
}

/** Equality of JSON values by serialisation (so key order counts). */
export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Three-way merge of desired state after an outage, per top-level field, from the last state both
 * sides agreed on (`base`): a field only one side changed takes that side's value; a field both
 * changed to different values keeps the central value (desired state belongs to the central side)
 * and is reported as a conflict, so nobody's edge change disappears unseen.
 */
export function mergeDesired(
  base: Record<string, unknown>,
  edge: Record<string, unknown>,
  central: Record<string, unknown>,
): { merged: Record<string, unknown>; conflicts: DesiredConflict[] } {
  const merged: Record<string, unknown> = {};
  const conflicts: DesiredConflict[] = [];
  for (const field of new Set([...Object.keys(base), ...Object.keys(edge), ...Object.keys(central)])) {
    const b = base[field];
    const e = edge[field];
    const c = central[field];
    const edgeChanged = !sameJson(b, e);
    const centralChanged = !sameJson(b, c);
    let v: unknown;
    if (edgeChanged && centralChanged && !sameJson(e, c)) {
      conflicts.push({ field, base: b, edge: e, central: c, kept: 'central' });
      v = c;
    } else {
      v = edgeChanged ? e : c;
    }
    if (v !== undefined) merged[field] = v;
  }
  return { merged, conflicts };
}
