import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeSettings } from '@millwright/config';
import { faultsOf, loadSupplierSimulatorConfig, supplierSimulatorSettings } from './supplier-simulator.config';

describe('supplier simulator configuration', () => {
  it('behaves like a healthy supplier on port 8090 by default', () => {
    const c = loadSupplierSimulatorConfig({});
    expect(c.HTTP_PORT).toBe(8090);
    expect(faultsOf(c)).toEqual({ failRate: 0, timeoutRate: 0, delayMs: 0, failAfterAccept: false, timeoutAfterAccept: false, retryAfterSeconds: 0 });
  });

  it('takes faults from the environment', () => {
    const c = loadSupplierSimulatorConfig({ SUPPLIER_FAIL_RATE: '0.25', SUPPLIER_TIMEOUT_RATE: '0.25', SUPPLIER_TIMEOUT_AFTER_ACCEPT: 'true', SUPPLIER_SEED: '7' });
    expect(faultsOf(c)).toMatchObject({ failRate: 0.25, timeoutRate: 0.25, timeoutAfterAccept: true });
    expect(c.SUPPLIER_SEED).toBe(7);
  });

  it('refuses rates that are fine alone but exceed 1 together', () => {
    expect(() => loadSupplierSimulatorConfig({ SUPPLIER_FAIL_RATE: '0.6', SUPPLIER_TIMEOUT_RATE: '0.6' })).toThrow(ConfigError);
    expect(() => loadSupplierSimulatorConfig({ SUPPLIER_FAIL_RATE: '1.5' })).toThrow(/SUPPLIER_FAIL_RATE/);
  });
});

describe('supplier simulator settings documentation', () => {
  it('is in the README, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const row of describeSettings(supplierSimulatorSettings)) expect(readme).toContain(row);
  });
});
