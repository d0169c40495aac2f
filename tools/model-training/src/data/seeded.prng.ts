import { createRng } from '@millwright/cmapss';

/** The fleet generator's seeded PRNG (mulberry32) as a bare function: same seed, same unit split and batch order. */
export function mulberry32(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

/** Fisher–Yates shuffle in place, driven by `random`. */
export function shuffleInPlace<T>(items: T[] | Int32Array, random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}
