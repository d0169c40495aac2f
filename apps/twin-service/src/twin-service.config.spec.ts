import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeSettings } from '@millwright/config';
import { loadTwinServiceConfig, twinServiceSettings } from './twin-service.config';

describe('twin service configuration', () => {
  it('starts with defaults that are safe for an edge box', () => {
    const c = loadTwinServiceConfig({});
    expect(c.SQLITE_SYNCHRONOUS).toBe('full');
    expect(c.INGEST_ACK_WAIT).toBe(30_000);
  });

  it('refuses to start on a bad value, naming it', () => {
    expect(() => loadTwinServiceConfig({ HTTP_PORT: 'eighty', SQLITE_SYNCHRONOUS: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadTwinServiceConfig({ HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT/);
  });

  it('needs the site id when the uplink sync is on', () => {
    expect(() => loadTwinServiceConfig({ SYNC_ENABLED: 'true' })).toThrow(/SITE_ID/);
    expect(loadTwinServiceConfig({ SYNC_ENABLED: 'true', SITE_ID: 'plant-1' }).SITE_ID).toBe('plant-1');
  });

  it('is documented in the README, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const row of describeSettings(twinServiceSettings)) expect(readme).toContain(row);
  });
});
