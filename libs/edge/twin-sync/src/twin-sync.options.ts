export interface TwinSyncOptions {
  /** NATS server(s) of the site: the outbox publishes on a connection of its own. */
  natsServers: string;
  /** This site's id: its subjects, and its part of the hub's downlink. */
  site: string;
  /** JetStream domain of the central hub, reached across the leaf link. */
  hubDomain: string;
  /** Compaction window: one delta per asset and window, in wall-clock or measurement time. */
  windowMs: number;
  /** Most deltas in one outbox message (before gzip; about 300 bytes each). */
  maxDeltasPerMessage: number;
  /** The upstream outbox: what the site can hold while its uplink is down. */
  streamMaxBytes: number;
  streamMaxAgeMs: number;
  /** How often the site health summary goes upstream. */
  healthIntervalMs: number;
}
export const TWIN_SYNC_OPTIONS = Symbol('TWIN_SYNC_OPTIONS');
/**
 * The outbox's own connection: on the service's main connection a publish ack queues behind up to
 * the ingest's whole in-flight telemetry (tens of MB during a backlog), and the outbox falls behind.
 */
export const SYNC_NATS_CONNECTION = Symbol('SYNC_NATS_CONNECTION');
