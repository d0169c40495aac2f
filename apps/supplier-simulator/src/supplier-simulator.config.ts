import { ConfigError, bool, duration, int, loadConfig, num, str, type ConfigOf } from '@millwright/config';
import { faultSettingsProblem, type FaultSettings } from '@millwright/supplier-simulator';

/** Every setting of the supplier simulator. */
export const supplierSimulatorSettings = {
  HTTP_HOST: str('Address the supplier API listens on', { default: '0.0.0.0' }),
  HTTP_PORT: int('Port of the supplier API and /docs', { default: 8090, min: 0, max: 65535 }),
  SUPPLIER_STATE_FILE: str('JSON file keeping accepted orders across restarts (empty: memory only)', { default: '' }),
  SUPPLIER_LEAD_TIME: duration('Promised time from acceptance to shipping', { default: 3 * 86_400_000 }),
  SUPPLIER_FAIL_RATE: num('Share of order requests answered 503 (0..1)', { default: 0, min: 0, max: 1 }),
  SUPPLIER_TIMEOUT_RATE: num('Share of order requests never answered (0..1)', { default: 0, min: 0, max: 1 }),
  SUPPLIER_DELAY_MS: int('Delay before each order request is handled, in milliseconds', { default: 0, min: 0, max: 600_000 }),
  SUPPLIER_FAIL_AFTER_ACCEPT: bool('Failing requests record the order before answering 503', { default: false }),
  SUPPLIER_TIMEOUT_AFTER_ACCEPT: bool('Timing-out requests record the order before going silent', { default: false }),
  SUPPLIER_RETRY_AFTER_SECONDS: int('Retry-After sent with an injected 503 (0: none)', { default: 0, min: 0, max: 3600 }),
  SUPPLIER_SEED: int('Seed of the fault generator: the same seed gives the same faults', { default: 1 }),
};

export type SupplierSimulatorConfig = ConfigOf<typeof supplierSimulatorSettings>;

export function loadSupplierSimulatorConfig(env: NodeJS.ProcessEnv = process.env): SupplierSimulatorConfig {
  const c = loadConfig(supplierSimulatorSettings, env);
  // Each setting can be fine alone and wrong together (rates adding up to more than 1).
  const problem = faultSettingsProblem(faultsOf(c));
  if (problem) throw new ConfigError([`SUPPLIER_FAIL_RATE + SUPPLIER_TIMEOUT_RATE: ${problem}`]);
  return c;
}

export function faultsOf(c: SupplierSimulatorConfig): FaultSettings {
  return {
    failRate: c.SUPPLIER_FAIL_RATE,
    timeoutRate: c.SUPPLIER_TIMEOUT_RATE,
    delayMs: c.SUPPLIER_DELAY_MS,
    failAfterAccept: c.SUPPLIER_FAIL_AFTER_ACCEPT,
    timeoutAfterAccept: c.SUPPLIER_TIMEOUT_AFTER_ACCEPT,
    retryAfterSeconds: c.SUPPLIER_RETRY_AFTER_SECONDS,
  };
}
