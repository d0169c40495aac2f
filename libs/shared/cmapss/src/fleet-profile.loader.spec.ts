import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCmapssFile, requireCmapssFile } from './cmapss.parser';
import { CMAPSS_SENSORS } from './cmapss.schema';
import { fitFleetProfile } from './fleet-profile.fitter';
import { loadFleetProfile } from './fleet-profile.loader';

describe('the committed FD001 fleet profile', () => {
  it('loads, is small, and describes FD001 (HPC degradation: T50 rises, P30 falls)', () => {
    const p = loadFleetProfile();
    expect(p).toEqual(expect.objectContaining({ dataset: 'FD001', engines: 100 }));
    expect(p.lifetime).toEqual(expect.objectContaining({ min: 128, max: 362 }));
    expect(p.sensors[CMAPSS_SENSORS.indexOf('T50')].trend.amplitude).toBeGreaterThan(0);
    expect(p.sensors[CMAPSS_SENSORS.indexOf('P30')].trend.amplitude).toBeLessThan(0);
    expect(JSON.stringify(p).length).toBeLessThan(8 * 1024);
  });

  it('refuses a profile that lost a sensor, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-profile-'));
    try {
      const p = loadFleetProfile();
      const path = join(dir, 'broken.json');
      writeFileSync(path, JSON.stringify({ ...p, sensors: p.sensors.slice(1) }));
      expect(() => loadFleetProfile(path)).toThrow(/broken\.json: sensors must list T2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Needs the data set (MILLWRIGHT_CMAPSS_DIR or ../shared/data/cmapss); requireCmapssFile says what
  // to do when it is missing. Guards against a profile left stale after a change to the fitter.
  it('is exactly what the fitter makes of train_FD001.txt', () => {
    const path = requireCmapssFile('train_FD001.txt');
    expect(fitFleetProfile(readCmapssFile(path), { dataset: 'FD001', source: 'train_FD001.txt' })).toEqual(loadFleetProfile());
  });
});
