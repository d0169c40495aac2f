import type { WindowSpec } from './model-card.schema';
import { buildWindow, buildWindowBatch, writeWindow } from './rul-window.builder';

// Identity normalisation so the expected numbers are the readings themselves.
const spec: WindowSpec = { length: 3, features: ['T50', 'Nc'], normalisation: { method: 'z-score', mean: [0, 0], std: [1, 1] } };
const history = [1, 2, 3, 4, 5].map((c) => ({ T50: c, Nc: 10 * c, epr: -1 }));

describe('buildWindow', () => {
  it('takes the last `length` cycles oldest first, time-major, in the spec feature order', () => {
    expect(Array.from(buildWindow(history, spec))).toEqual([3, 30, 4, 40, 5, 50]);
  });

  it('applies the normalisation constants per feature', () => {
    const s: WindowSpec = { ...spec, normalisation: { method: 'z-score', mean: [4, 0], std: [1, 10] } };
    expect(Array.from(buildWindow(history, s))).toEqual([-1, 3, 0, 4, 1, 5]);
  });

  it('refuses a history shorter than the window by default', () => {
    expect(() => buildWindow(history.slice(0, 2), spec)).toThrow(/needs 3 cycles of history, got 2/);
  });

  it('pads a short history by repeating its first reading when asked to', () => {
    expect(Array.from(buildWindow(history.slice(0, 2), spec, 'replicate-first'))).toEqual([1, 10, 1, 10, 2, 20]);
  });

  it('refuses an empty history even with padding', () => {
    expect(() => buildWindow([], spec, 'replicate-first')).toThrow(/empty/);
  });
});

describe('buildWindowBatch', () => {
  it('stacks one window per asset', () => {
    const b = buildWindowBatch([history, history.slice(0, 3)], spec);
    expect(Array.from(b)).toEqual([3, 30, 4, 40, 5, 50, 1, 10, 2, 20, 3, 30]);
  });
});

describe('writeWindow', () => {
  it('writes the window ending at any cycle at the given offset', () => {
    const series = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
    const out = new Float32Array(6).fill(-9);
    writeWindow(series, 2, 1, 2, 'reject', out, 2);
    expect(Array.from(out)).toEqual([-9, -9, 1, 10, 2, 20]);
  });

  it('refuses an end outside the series', () => {
    expect(() => writeWindow(new Float32Array(4), 2, 2, 2, 'reject', new Float32Array(4))).toThrow(/outside/);
  });
});
