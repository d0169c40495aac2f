import type { TwinChangedV1 } from '@millwright/contracts';
import { healthOf } from './health.rule';
import { PredictionPlanner } from './prediction.planner';

const spec = { features: ['x'], length: 3, mean: [0], std: [1] };
let at = 0;
const change = (fromVersion: number, seqs: number[], cause: TwinChangedV1['cause'] = 'telemetry'): TwinChangedV1 => ({
  site: 's', asset: 'a', fromVersion, version: fromVersion + (cause === 'telemetry' ? seqs.length : 1), cause, at: at++, lastSeq: seqs[seqs.length - 1] ?? 0,
  changes: cause === 'telemetry' ? { readings: seqs.map((seq) => ({ seq, ts: seq, values: { x: seq } })) } : { derived: {} },
});
const history = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, values: { x: from + i } }));

describe('PredictionPlanner', () => {
  it('rebuilds an unknown asset from history, then follows events without fetching again', () => {
    const p = new PredictionPlanner(spec);
    expect(p.onTwinChanged(change(5, [6]))).toBe('resync');
    expect(p.onTwinChanged(change(6, [7]))).toBe('ignored'); // arrives while history is fetched
    p.completeResync('s/a', 6, history(1, 6));
    let b = p.takeBatch(10);
    expect(b.keys).toEqual(['s/a']);
    expect(Array.from(b.input)).toEqual([5, 6, 7]);
    expect(b.basedOnSeq).toEqual([7]);

    expect(p.onTwinChanged(change(7, [8]))).toBe('queued');
    expect(p.onTwinChanged(change(8, [], 'derived'))).toBe('ignored'); // its own prediction landing
    expect(p.onTwinChanged(change(9, [9]))).toBe('queued');
    b = p.takeBatch(10);
    expect(Array.from(b.input)).toEqual([7, 8, 9]);
  });

  it("builds inputs into the caller's buffer when it is large enough", () => {
    const p = new PredictionPlanner(spec);
    p.onTwinChanged(change(0, [3]));
    p.completeResync('s/a', 1, history(1, 3));
    const scratch = new Float32Array(2 * p.inputSize);
    const b = p.takeBatch(2, scratch);
    expect(b.input.buffer).toBe(scratch.buffer);
    expect(Array.from(b.input)).toEqual([1, 2, 3]);
    p.onTwinChanged(change(1, [4]));
    expect(p.takeBatch(2, new Float32Array(0)).input.buffer).not.toBe(scratch.buffer);
  });

  it('detects a missed event by its version and asks for history again', () => {
    const p = new PredictionPlanner(spec);
    p.onTwinChanged(change(0, [1]));
    p.completeResync('s/a', 1, history(1, 1));
    expect(p.onTwinChanged(change(3, [4]))).toBe('resync');
  });

  it('keeps only the newest window of readings that arrive during a fetch, in seq order', () => {
    const p = new PredictionPlanner(spec);
    expect(p.onTwinChanged(change(0, [1]))).toBe('resync');
    // Out of order and more than a window: only 6, 7, 8 can reach it.
    for (const [from, seq] of [[1, 2], [2, 3], [3, 4], [4, 5], [5, 7], [6, 6], [7, 8], [8, 3]]) p.onTwinChanged(change(from, [seq]));
    p.completeResync('s/a', 1, history(1, 1));
    const b = p.takeBatch(10);
    expect(Array.from(b.input)).toEqual([6, 7, 8]);
    expect(p.onTwinChanged(change(9, [9]))).toBe('queued');
  });

  it('does not trust a fetch that was made for the previous model when the features changed meanwhile', () => {
    const p = new PredictionPlanner(spec);
    expect(p.onTwinChanged(change(0, [1]))).toBe('resync');
    p.onTwinChanged(change(1, [2]));
    p.setSpec({ ...spec, features: ['x', 'y'], mean: [0, 0], std: [1, 1] });
    p.completeResync('s/a', 2, history(1, 2));
    expect(p.pendingAssets).toBe(0);
    expect(p.onTwinChanged(change(2, [3]))).toBe('resync');
  });

  it('reports assets with too little history instead of predicting them', () => {
    const p = new PredictionPlanner(spec);
    p.onTwinChanged(change(0, [1]));
    p.completeResync('s/a', 1, history(1, 1));
    const b = p.takeBatch(10);
    expect(b.keys).toEqual([]);
    expect(b.insufficient).toEqual([{ key: 's/a', have: 1, basedOnSeq: 1 }]);
  });

  it('drops its windows when a new model needs different features', () => {
    const p = new PredictionPlanner(spec);
    p.onTwinChanged(change(0, [1]));
    p.completeResync('s/a', 1, history(1, 1));
    expect(p.setSpec({ ...spec, mean: [1] })).toBe(false);
    expect(p.setSpec({ ...spec, features: ['x', 'y'], mean: [0, 0], std: [1, 1] })).toBe(true);
    expect(p.onTwinChanged(change(1, [2]))).toBe('resync');
  });
});

describe('healthOf', () => {
  it('takes the worse of remaining life and failure risk', () => {
    expect(healthOf(100, 0.05)).toBe('ok');
    expect(healthOf(45, 0.05)).toBe('warning');
    expect(healthOf(100, 0.8)).toBe('critical');
    expect(healthOf(10, 0.1)).toBe('critical');
  });
});
