import { apiAuthSettings } from '@millwright/http-auth';
import { ConfigError, bool, duration, int, loadConfig, oneOf, str, type ConfigOf } from '@millwright/config';
import { isValidId } from '@millwright/contracts';

/** Every setting of the twin service; the README's configuration table is generated from this. */
export const twinServiceSettings = {
  NATS_URL: str('NATS server(s) to connect to, comma-separated', { default: 'nats://127.0.0.1:4222' }),
  NATS_NKEY_SEED_FILE: str('File with this service\'s NATS nkey seed (a mounted Secret from `npm run provision`); empty: connect without credentials', { default: '' }),
  HTTP_HOST: str('Address the REST API listens on', { default: '0.0.0.0' }),
  HTTP_PORT: int('Port of the REST API, /docs, /metrics and health endpoints', { default: 8080, min: 0, max: 65535 }),
  TWIN_DB_PATH: str('SQLite file of the twin store (its folder is created)', { default: './data/twins.db' }),
  SQLITE_SYNCHRONOUS: oneOf('`full`: a committed batch survives power loss; `normal`: survives process crashes only', ['full', 'normal'] as const, { default: 'full' }),
  SQLITE_CACHE_MB: int('SQLite page cache of the twin store (MiB); the hot set is the twin rows and the history index (8 MiB holds it for 10,000 assets)', { default: 8, min: 1, max: 1024 }),
  TWIN_CACHE_SIZE: int('Twins kept in memory (least recently used are dropped)', { default: 50_000, min: 100 }),
  TWIN_FLUSH_DELAY: duration('How long a changed twin\'s row may lag behind it: the reading log holds the change meanwhile and is replayed after a crash; `0s` writes it at the next commit', { default: 1000 }),
  INGEST_MAX_BATCH: int('Most readings committed in one transaction, and about the most predictions; it bounds how long a commit holds the event loop (and what waits behind it), and larger measured no faster', { default: 1000, min: 1, max: 100_000 }),
  INGEST_MAX_ACK_PENDING: int('Most telemetry messages in flight to the service before the server waits for acks (fewer when they are large, see INGEST_MAX_BYTES_IN_FLIGHT)', { default: 1000, min: 1, max: 100_000 }),
  INGEST_MAX_BYTES_IN_FLIGHT: int('Bytes the in-flight telemetry messages may add up to: with large gateway batches the service asks for fewer than INGEST_MAX_ACK_PENDING, so that nats-server (64 MB per client) never cuts it off as a slow consumer', { default: 32 * 1024 ** 2, min: 64 * 1024 }),
  INGEST_ACK_WAIT: duration('Time before an unacked message is redelivered', { default: 30_000 }),
  TELEMETRY_STREAM_MAX_BYTES: int('Telemetry the stream keeps (the backlog the site survives while the twin service is down); when full, the oldest goes first', { default: 1024 ** 3, min: 1024 ** 2 }),
  TELEMETRY_STREAM_MAX_AGE: duration('Oldest backlog kept in the telemetry stream', { default: 7 * 86_400_000 }),
  DEAD_LETTER_MAX_BYTES: int('Size cap of the dead-letter stream (oldest dropped first)', { default: 256 * 1024 ** 2, min: 1024 ** 2 }),
  DEAD_LETTER_MAX_AGE: duration('How long dead letters are kept', { default: 30 * 86_400_000 }),
  PREDICTIONS_STREAM_MAX_BYTES: int('Size cap of the predictions stream the edge keeps for the central sync (oldest dropped first)', { default: 256 * 1024 ** 2, min: 1024 ** 2 }),
  PREDICTIONS_STREAM_MAX_AGE: duration('How long predictions are kept in their stream', { default: 7 * 86_400_000 }),
  HISTORY_MAX_PER_ASSET: int('Readings kept per asset for predictions and charts', { default: 1000, min: 1 }),
  HISTORY_MAX_AGE: duration('Oldest reading kept in history', { default: 30 * 86_400_000 }),
  HISTORY_PRUNE_INTERVAL: duration('How often history retention runs', { default: 5000 }),
  SYNC_ENABLED: bool('Send compacted twin deltas to the SYNC_OUT stream that the central hub sources (sites with an uplink)', { default: false }),
  SITE_ID: str('This site\'s id (as in its readings); required with SYNC_ENABLED', { default: '' }),
  SYNC_HUB_DOMAIN: str('JetStream domain of the central hub (the leaf link reaches it)', { default: 'hub' }),
  SYNC_INTERVAL: duration('Compaction window: one delta per asset per window (wall clock, or measurement time when a backlog replays)', { default: 10_000 }),
  SYNC_MAX_DELTAS_PER_MESSAGE: int('Most twin deltas in one outbox message (gzipped; about 300 bytes each before)', { default: 1000, min: 1, max: 5000 }),
  SYNC_HEALTH_INTERVAL: duration('How often the site health summary goes upstream', { default: 5000 }),
  SYNC_STREAM_MAX_BYTES: int('Upstream outbox size: what the site holds while its uplink is down (oldest dropped first)', { default: 1024 ** 3, min: 1024 ** 2 }),
  SYNC_STREAM_MAX_AGE: duration('Oldest delta kept in the upstream outbox', { default: 7 * 86_400_000 }),
  JETSTREAM_REPLICAS: int('Replicas of the edge streams (1 on a single-node site)', { default: 1, min: 1, max: 5 }),
  ...apiAuthSettings,
};

export type TwinServiceConfig = ConfigOf<typeof twinServiceSettings>;

export function loadTwinServiceConfig(env: NodeJS.ProcessEnv = process.env): TwinServiceConfig {
  const c = loadConfig(twinServiceSettings, env);
  if (c.SYNC_ENABLED && !isValidId(c.SITE_ID)) throw new ConfigError(['SITE_ID must name this site (1-64 of [A-Za-z0-9_-]) when SYNC_ENABLED is true']);
  return c;
}
