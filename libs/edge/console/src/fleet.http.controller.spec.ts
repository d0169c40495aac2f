import { centralAssetRow } from './fleet.http.controller';

describe('fleet mode rows', () => {
  it('reads flat central assets and twin-shaped ones alike', () => {
    expect(centralAssetRow({ site: 's1', asset: 'a1', assetClass: 'pump', health: 'warning', rul: 42, failureRisk: 0.3, lastSeenAt: 5, openOrder: { id: 'o1', state: 'placed' } })).toMatchObject({
      health: 'warning', rul: 42, risk: 0.3, lastSeenAt: 5, openOrder: { id: 'o1', state: 'placed' },
    });
    expect(centralAssetRow({ site: 's1', asset: 'a2', derived: { health: { status: 'critical' }, prediction: { rul: 3, failureRisk: 0.95, modelVersion: 'm1' } } })).toMatchObject({
      health: 'critical', rul: 3, risk: 0.95, modelVersion: 'm1', openOrder: null, assetClass: null,
    });
    expect(centralAssetRow({ site: 's1', asset: 'a3', health: 'exploded' }).health).toBe('unknown');
    // As the asset platform sends it: ISO-8601 times.
    expect(centralAssetRow({ site: 's1', asset: 'a4', lastSeenAt: '2026-11-25T10:00:00.000Z' }).lastSeenAt).toBe(Date.UTC(2026, 10, 25, 10));
  });
});
