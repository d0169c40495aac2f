import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeSettings } from '@millwright/config';
import { loadMaintenanceConfig, maintenanceSettings } from './maintenance.config';

describe('maintenance configuration', () => {
  it('loads the shipped policies and a patient outbox by default', () => {
    expect(loadMaintenanceConfig({})).toMatchObject({ POLICIES_FILE: 'config/policies/default.json', OUTBOX_RETRY_MAX: 300_000, SUPPLIER_TIMEOUT: 5000 });
  });

  it('refuses to start on a bad value', () => {
    expect(() => loadMaintenanceConfig({ OUTBOX_LEASE: 'soon' })).toThrow(ConfigError);
  });

  it('is documented in the README, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const row of describeSettings(maintenanceSettings)) expect(readme).toContain(row);
  });
});
