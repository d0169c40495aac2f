import { apiAuthSettings } from '@millwright/http-auth';
import { ConfigError, duration, int, loadConfig, str, type ConfigOf } from '@millwright/config';
import { parseSiteList } from '@millwright/platform-sync';

/** Every setting of the asset platform; the README's configuration table lists them row for row. */
export const assetPlatformSettings = {
  NATS_URL: str('The central hub NATS server(s), comma-separated', { default: 'nats://127.0.0.1:4222' }),
  NATS_NKEY_SEED_FILE: str('File with this service\'s NATS nkey seed (a mounted Secret from `npm run provision`); empty: connect without credentials', { default: '' }),
  HTTP_HOST: str('Address the REST API listens on', { default: '0.0.0.0' }),
  HTTP_PORT: int('Port of the REST API, /docs, /metrics and health endpoints', { default: 8083, min: 0, max: 65535 }),
  DATABASE_URL: str('`postgres://user:pass@host/db` to use PostgreSQL; empty uses the SQLite file PLATFORM_DB_PATH', { default: '' }),
  PLATFORM_DB_PATH: str('SQLite file of the platform (without DATABASE_URL; its folder is created)', { default: './data/platform.db' }),
  SITES: str('Sites to register at start, `site[=jetstream-domain],…` (the domain defaults to the site id); more via PUT /api/v1/sites/:site', { default: '' }),
  SYNC_ACK_WAIT: duration('Time before the hub redelivers an inbox message this service did not ack (after a crash)', { default: 30_000 }),
  SYNC_ANNOUNCE_INTERVAL: duration('How often each site is told how far its outbox is applied, and owed desired documents are retried', { default: 3000 }),
  SYNC_INBOX_MAX_BYTES: int('Hub inbox size per site: what the hub holds for a site while this service is down (oldest dropped first; the edge then resends snapshots)', { default: 1024 ** 3, min: 1024 ** 2 }),
  DEAD_LETTER_MAX_BYTES: int('Size cap of the hub dead-letter stream for refused inbox messages (oldest dropped first)', { default: 256 * 1024 ** 2, min: 1024 ** 2 }),
  MODEL_BUCKET: str('Hub object store bucket with uploaded model releases (`<version>/model.onnx`, `model-card.json`, `.sig`) that POST /api/v1/releases rolls out', { default: 'models' }),
  DOWNLINK_MAX_AGE: duration('How long the hub keeps a desired document or policy for a site that stays away', { default: 30 * 86_400_000 }),
  ...apiAuthSettings,
};

export type AssetPlatformConfig = ConfigOf<typeof assetPlatformSettings>;

export function loadAssetPlatformConfig(env: NodeJS.ProcessEnv = process.env): AssetPlatformConfig & { sites: Array<{ id: string; domain: string }> } {
  const c = loadConfig(assetPlatformSettings, env);
  try {
    return { ...c, sites: parseSiteList(c.SITES) };
  } catch (e) {
    throw new ConfigError([`SITES=${JSON.stringify(c.SITES)}: ${(e as Error).message}`]);
  }
}
