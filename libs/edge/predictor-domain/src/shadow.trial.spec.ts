import { ShadowTrial, windowRenormaliser } from './shadow.trial';

const policy = { shadowMs: 1000, maxDisagreement: 5, minWindows: 3 };

describe('shadow trial', () => {
  it('promotes after the shadow period when the models agree within the limit', () => {
    const t = new ShadowTrial(policy, 0);
    t.observe([100, 50], [102, 49]);
    expect(t.decide(500)).toEqual({ kind: 'continue' });
    t.observe([10], [10]);
    expect(t.decide(1000)).toMatchObject({ kind: 'promote', code: 'promoted' });
    expect(t.stats()).toEqual({ windows: 3, errors: 0, meanAbsDiff: 1, maxAbsDiff: 2 });
  });

  it('waits for enough windows even after the shadow period', () => {
    const t = new ShadowTrial(policy, 0);
    t.observe([1], [1]);
    expect(t.decide(5000)).toEqual({ kind: 'continue' });
  });

  it('rolls back on disagreement beyond the limit', () => {
    const t = new ShadowTrial(policy, 0);
    t.observe([100, 100, 100], [80, 90, 100]);
    expect(t.decide(1000)).toMatchObject({ kind: 'rollback', code: 'disagreement', reason: expect.stringMatching(/10\.00 cycles over 3 windows/) });
  });

  it('rolls back at once on non-finite output or a failed run, before the period ends', () => {
    const t = new ShadowTrial(policy, 0);
    t.observe([100, 100], [NaN, 100]);
    expect(t.decide(1)).toMatchObject({ kind: 'rollback', code: 'shadow_errors', reason: expect.stringMatching(/1 of 2 .* not finite/) });
    const u = new ShadowTrial(policy, 0);
    u.observeError('onnxruntime: bad input');
    expect(u.decide(1)).toMatchObject({ kind: 'rollback', code: 'shadow_errors', reason: expect.stringMatching(/bad input/) });
  });
});

describe('window renormaliser', () => {
  const a = { features: ['x', 'y'], length: 2, mean: [10, 0], std: [2, 1] };
  it('maps one normalisation onto another per feature', () => {
    const r = windowRenormaliser(a, { ...a, mean: [0, 1], std: [1, 2] })!;
    // raw x = 12 and 10, raw y = 3 and 1
    expect([...r(new Float32Array([1, 3, 0, 1]))]).toEqual([12, 1, 10, 0]);
  });
  it('passes windows through when nothing differs, and refuses other features or lengths', () => {
    const input = new Float32Array([1, 2, 3, 4]);
    expect(windowRenormaliser(a, { ...a })!(input)).toBe(input);
    expect(windowRenormaliser(a, { ...a, features: ['x', 'z'] })).toBeNull();
    expect(windowRenormaliser(a, { ...a, length: 3 })).toBeNull();
  });
});
