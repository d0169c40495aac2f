import { createRng } from './seeded.rng';

describe('createRng', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const r = createRng(seed);
      return Array.from({ length: 5 }, () => [r.next(), r.normal()]);
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('draws standard normals (mean ~0, std ~1) and uniforms in [0, 1)', () => {
    const r = createRng(7);
    const n = Array.from({ length: 20_000 }, () => r.normal());
    const m = n.reduce((a, b) => a + b, 0) / n.length;
    const sd = Math.sqrt(n.reduce((a, b) => a + (b - m) ** 2, 0) / n.length);
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    const u = Array.from({ length: 20_000 }, () => r.next());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
  });
});
