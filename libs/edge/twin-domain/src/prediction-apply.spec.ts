import type { PredictionV1 } from '@millwright/contracts';
import { newTwin } from './asset-twin';
import { applyPrediction } from './prediction-apply';

const p = (basedOnSeq: number, over: Partial<PredictionV1> = {}): PredictionV1 => ({
  site: 's', asset: 'a', status: 'ok', rul: 80, failureRisk: 0.1, health: 'ok', modelVersion: 'm1', at: 1000 + basedOnSeq, basedOnSeq, ...over,
});

describe('applyPrediction', () => {
  it('stores the prediction and health in derived state and bumps the version', () => {
    const t = newTwin('s', 'a', 0);
    expect(applyPrediction(t, p(10), 5)).toEqual({
      prediction: { status: 'ok', rul: 80, failureRisk: 0.1, modelVersion: 'm1', at: 1010, basedOnSeq: 10 },
      health: { status: 'ok', at: 1010 },
    });
    expect(t.version).toBe(1);
  });

  it('never replaces a prediction made from newer readings, nor repeats the same one', () => {
    const t = newTwin('s', 'a', 0);
    applyPrediction(t, p(10, { rul: 50 }), 0);
    expect(applyPrediction(t, p(9, { rul: 99 }), 0)).toBeNull();
    expect(applyPrediction(t, p(10, { rul: 50 }), 0)).toBeNull();
    expect(t.derived.prediction).toMatchObject({ rul: 50 });
    expect(t.version).toBe(1);
  });

  it('lets a new model version re-predict from the same readings', () => {
    const t = newTwin('s', 'a', 0);
    applyPrediction(t, p(10), 0);
    expect(applyPrediction(t, p(10, { modelVersion: 'm2', rul: 70 }), 0)).not.toBeNull();
    expect(t.derived.prediction).toMatchObject({ modelVersion: 'm2', rul: 70 });
  });

  it('keeps other derived fields beside the prediction, and the changes are exactly what it set', () => {
    const t = newTwin('s', 'a', 0);
    t.derived = { anomaly: { score: 0.2 } };
    const changes = applyPrediction(t, p(10), 0);
    expect(Object.keys(changes!)).toEqual(['prediction', 'health']);
    expect(t.derived).toEqual({ anomaly: { score: 0.2 }, ...changes });
    // Replaced, never edited: whoever holds the old state still sees it.
    const before = t.derived;
    applyPrediction(t, p(11), 0);
    expect(before.prediction).toMatchObject({ basedOnSeq: 10 });
    expect(t.derived).toMatchObject({ anomaly: { score: 0.2 }, prediction: { basedOnSeq: 11 } });
  });

  it('records why there is no prediction', () => {
    const t = newTwin('s', 'a', 0);
    applyPrediction(t, p(3, { status: 'insufficient_history', rul: undefined, failureRisk: undefined, health: 'unknown', detail: 'needs 30 cycles, has 3' }), 0);
    expect(t.derived.prediction).toEqual({ status: 'insufficient_history', modelVersion: 'm1', at: 1003, basedOnSeq: 3, detail: 'needs 30 cycles, has 3' });
  });
});
