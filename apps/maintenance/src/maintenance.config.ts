import { apiAuthSettings, apiClientSettings } from '@millwright/http-auth';
import { duration, int, loadConfig, str, type ConfigOf } from '@millwright/config';

/** Every setting of the maintenance service; the README's configuration table is checked against this. */
export const maintenanceSettings = {
  NATS_URL: str('NATS server(s) to connect to, comma-separated', { default: 'nats://127.0.0.1:4222' }),
  NATS_NKEY_SEED_FILE: str('File with this service\'s NATS nkey seed (a mounted Secret from `npm run provision`); empty: connect without credentials', { default: '' }),
  HTTP_HOST: str('Address the orders API listens on', { default: '0.0.0.0' }),
  HTTP_PORT: int('Port of the orders and policies API, /docs, /metrics and health endpoints', { default: 8082, min: 0, max: 65535 }),
  MAINTENANCE_DB_PATH: str('SQLite file of orders, outbox and policies (its folder is created)', { default: './data/maintenance.db' }),
  TWIN_SERVICE_URL: str('Twin service base URL (asset classes)', { default: 'http://127.0.0.1:8080' }),
  SITE_ID: str('This site\'s id: set it on a site with an uplink to follow the replacement policies the central platform sets for it', { default: '' }),
  POLICIES_FILE: str('JSON array of replacement policies loaded at start for asset classes that have none', { default: 'config/policies/default.json' }),
  SUPPLIER_URL: str("Base URL of the supplier's ordering API", { default: 'http://127.0.0.1:8090' }),
  SUPPLIER_TIMEOUT: duration('Time one supplier call may take before it counts as failed', { default: 5000 }),
  SUPPLIER_ATTEMPTS: int('Calls per outbox attempt before the relay backs off (retries inside one attempt)', { default: 3, min: 1, max: 10 }),
  SUPPLIER_BREAKER_FAILURES: int('Consecutive failed calls that open the circuit breaker', { default: 5, min: 1 }),
  SUPPLIER_BREAKER_COOLDOWN: duration('Time the breaker stays open before one trial call', { default: 10_000 }),
  OUTBOX_INTERVAL: duration('How often the outbox relay looks for due work', { default: 500 }),
  OUTBOX_LEASE: duration('How long a claimed outbox row stays with one relay before another may take it', { default: 30_000 }),
  OUTBOX_RETRY_BASE: duration('First retry delay of a failed outbox row (doubles, with full jitter)', { default: 1000 }),
  OUTBOX_RETRY_MAX: duration('Longest retry delay of a failed outbox row', { default: 300_000 }),
  PREDICTIONS_MAX_ACK_PENDING: int('Prediction messages in flight to the service', { default: 1000, min: 1 }),
  ...apiAuthSettings,
  ...apiClientSettings,
};

export type MaintenanceConfig = ConfigOf<typeof maintenanceSettings>;
export const loadMaintenanceConfig = (env: NodeJS.ProcessEnv = process.env): MaintenanceConfig => loadConfig(maintenanceSettings, env);
