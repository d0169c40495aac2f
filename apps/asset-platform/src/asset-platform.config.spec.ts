import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeSettings } from '@millwright/config';
import { assetPlatformSettings, loadAssetPlatformConfig } from './asset-platform.config';

describe('asset platform configuration', () => {
  it('runs on SQLite with no sites by default', () => {
    const c = loadAssetPlatformConfig({});
    expect(c.DATABASE_URL).toBe('');
    expect(c.sites).toEqual([]);
  });

  it('reads the site list, domains defaulting to the site id', () => {
    expect(loadAssetPlatformConfig({ SITES: 'plant-1=plant_1_js, store-7' }).sites).toEqual([
      { id: 'plant-1', domain: 'plant_1_js' },
      { id: 'store-7', domain: 'store-7' },
    ]);
  });

  it('refuses to start on a bad value, naming it', () => {
    expect(() => loadAssetPlatformConfig({ SITES: 'bad site' })).toThrow(ConfigError);
    expect(() => loadAssetPlatformConfig({ SITES: 'bad site' })).toThrow(/SITES/);
    expect(() => loadAssetPlatformConfig({ SYNC_ACK_WAIT: 'soon' })).toThrow(/SYNC_ACK_WAIT/);
  });

  it('is documented in the README, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const row of describeSettings(assetPlatformSettings)) expect(readme).toContain(row);
  });
});
