import { parseCmapss } from '@millwright/cmapss';
import { cmapssRowToReading } from './cmapss-reading.adapter';

describe('cmapssRowToReading', () => {
  it('names the 21 sensor columns as in the PHM08 paper', () => {
    const line = '1 1 -0.0007 -0.0004 100.0 518.67 641.82 1589.70 1400.60 14.62 21.61 554.36 2388.06 9046.19 1.30 47.47 521.66 2388.02 8138.62 8.4195 0.03 392 2388 100.00 39.06 23.4190';
    const r = cmapssRowToReading(parseCmapss(line)[0]);
    expect(r).toMatchObject({ T2: 518.67, T24: 641.82, T30: 1589.7, T50: 1400.6, Ps30: 47.47, htBleed: 392, W31: 39.06, W32: 23.419 });
    expect(Object.keys(r)).toHaveLength(21);
  });
});
