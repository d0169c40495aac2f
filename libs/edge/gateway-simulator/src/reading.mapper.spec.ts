import { CMAPSS_SENSORS, CMAPSS_SETTINGS, type CmapssRow } from '@millwright/cmapss';
import { Subjects, parseTelemetryMessage } from '@millwright/contracts';
import { cmapssRowToReading, engineAssetId } from './reading.mapper';

const row: CmapssRow = {
  unit: 7,
  cycle: 12,
  settings: [-0.0007, -0.0004, 100],
  sensors: [518.67, 641.82, 1589.7, 1400.6, 14.62, 21.61, 554.36, 2388.06, 9046.19, 1.3, 47.47, 521.66, 2388.02, 8138.62, 8.4195, 0.03, 392, 2388, 100, 39.06, 23.419],
};
const clock = { startMs: Date.UTC(2026, 0, 1), cycleMs: 60_000 };

describe('engineAssetId', () => {
  it('pads the unit and lower-cases an optional dataset tag', () => {
    expect(engineAssetId(7)).toBe('engine-007');
    expect(engineAssetId(260, 'FD002')).toBe('fd002-engine-260');
  });
});

describe('cmapssRowToReading', () => {
  it('names the 21 sensors and 3 settings as the paper does, with units, class, seq = cycle and the synthetic clock', () => {
    const r = cmapssRowToReading(row, { site: 'plant-1', asset: 'engine-007', clock });
    expect(r).toEqual(expect.objectContaining({ site: 'plant-1', asset: 'engine-007', seq: 12, ts: clock.startMs + 12 * 60_000, assetClass: 'turbofan' }));
    expect(Object.keys(r.values)).toEqual([...CMAPSS_SETTINGS, ...CMAPSS_SENSORS]);
    expect(r.values).toEqual(expect.objectContaining({ alt: -0.0007, TRA: 100, T2: 518.67, T50: 1400.6, Ps30: 47.47, W32: 23.419 }));
    expect(r.units).toEqual(expect.objectContaining({ T50: 'degR', P30: 'psia', Nc: 'rpm', W31: 'lbm/s', alt: 'kft' }));
  });

  it('uses a given seq for both the sequence and the timestamp, and can leave units out', () => {
    const r = cmapssRowToReading(row, { site: 's', asset: 'a', clock, seq: 500, includeUnits: false });
    expect(r.seq).toBe(500);
    expect(r.ts).toBe(clock.startMs + 500 * 60_000);
    expect(r.units).toBeUndefined();
  });

  it('produces readings the edge accepts', () => {
    const r = cmapssRowToReading(row, { site: 'plant-1', asset: 'engine-007', clock });
    const parsed = parseTelemetryMessage(Subjects.reading('plant-1', 'engine-007'), Buffer.from(JSON.stringify(r)), clock.startMs + 86_400_000);
    expect(parsed.rejections).toEqual([]);
    expect(parsed.readings[0].values.T50).toBe(1400.6);
  });
});
