import type { TwinChangedV1 } from '@millwright/contracts';
import { AssetBoard } from './asset-board';

const twin = (version: number, derived: Record<string, unknown> = {}) => ({ site: 's1', asset: 'e1', assetClass: 'turbofan', version, lastSeenAt: 1000, derived });
const changed = (fromVersion: number, version: number, changes: TwinChangedV1['changes']): TwinChangedV1 => ({ site: 's1', asset: 'e1', version, fromVersion, cause: 'derived', at: 0, changes, lastSeq: 1 });
const prediction = (rul: number, basedOnSeq: number, modelVersion = 'm1') => ({
  prediction: { status: 'ok', rul, failureRisk: rul < 30 ? 0.9 : 0.1, modelVersion, at: basedOnSeq * 10, basedOnSeq },
  health: { status: rul < 50 ? 'warning' : 'ok', at: 0 },
});

describe('asset board', () => {
  it('turns twins and their changes into rows and an RUL history marked with the model version', () => {
    const b = new AssetBoard();
    b.upsertTwin(twin(3, prediction(90, 1)));
    expect(b.applyTwinChanged(changed(3, 4, { readings: [{ seq: 2, ts: 5000, values: {} }] }))).toBe('applied');
    expect(b.applyTwinChanged(changed(4, 5, { derived: prediction(40, 2, 'm2') }))).toBe('applied');
    expect(b.get('s1', 'e1')).toMatchObject({ health: 'warning', rul: 40, risk: 0.1, modelVersion: 'm2', lastSeenAt: 5000, version: 5 });
    expect(b.rulHistory('s1', 'e1').map((p) => [p.rul, p.modelVersion])).toEqual([[90, 'm1'], [40, 'm2']]);
  });

  it('drops stale events and reports gaps and unknown assets so the twin is read', () => {
    const b = new AssetBoard();
    expect(b.applyTwinChanged(changed(0, 1, {}))).toBe('unknown');
    expect(b.applyTwinChanged(changed(0, 1, { derived: prediction(10, 9) }))).toBe('stale');
    expect(b.get('s1', 'e1')?.rul).toBeNull();
    expect(b.applyTwinChanged(changed(4, 5, {}))).toBe('gap');
    b.upsertTwin(twin(2, prediction(80, 1)));
    expect(b.get('s1', 'e1')?.version).toBe(5);
  });

  it('keeps the open order until it ends, and hands out each changed row once', () => {
    const b = new AssetBoard();
    b.upsertTwin(twin(1));
    b.applyOrderEvent({ orderId: 'o1', site: 's1', asset: 'e1', to: 'awaiting_approval' });
    expect(b.takeDirty().map((r) => r.openOrder)).toEqual([{ id: 'o1', state: 'awaiting_approval' }]);
    expect(b.takeDirty()).toEqual([]);
    b.applyOrderEvent({ orderId: 'o1', site: 's1', asset: 'e1', to: 'rejected' });
    expect(b.get('s1', 'e1')?.openOrder).toBeNull();
  });
});
