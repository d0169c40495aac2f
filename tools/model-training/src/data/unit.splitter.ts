import { mulberry32, shuffleInPlace } from './seeded.prng';

export interface UnitSplit {
  train: number[];
  validation: number[];
}

/**
 * Splits engines by unit, never by window: windows of one engine are near-copies of each other,
 * so a unit on both sides would let validation reward memorising that engine.
 */
export function splitUnits(units: readonly number[], validationFraction: number, seed: number): UnitSplit {
  if (!(validationFraction > 0 && validationFraction < 1)) throw new Error(`validation fraction must be in (0, 1), got ${validationFraction}`);
  const distinct = [...new Set(units)].sort((a, b) => a - b);
  const nValidation = Math.round(distinct.length * validationFraction);
  if (nValidation < 1 || nValidation >= distinct.length) throw new Error(`cannot split ${distinct.length} units with fraction ${validationFraction}`);
  shuffleInPlace(distinct, mulberry32(seed));
  const byNumber = (a: number, b: number) => a - b;
  return { validation: distinct.slice(0, nValidation).sort(byNumber), train: distinct.slice(nValidation).sort(byNumber) };
}
