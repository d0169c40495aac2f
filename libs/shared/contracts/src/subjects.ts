/**
 * NATS subjects of the v1 contract. The major version is a subject token so that a v2 can run side by
 * side during a migration, and so that NATS permissions (per site) can be written as subject patterns.
 *
 * MQTT gateways use the same names with `/` for `.`: the NATS server's MQTT listener maps
 * `telemetry/v1/plant-1/pump-7` onto `telemetry.v1.plant-1.pump-7`.
 */
export const SUBJECT_VERSION = 'v1';

export const Subjects = {
  /** One reading of one asset: `telemetry.v1.<site>.<asset>`. */
  reading: (site: string, asset: string): string => `telemetry.v1.${site}.${asset}`,
  /** A batch of readings, any assets of one site, from one gateway: `telemetry.v1.<site>.<gateway>.batch`. */
  readingBatch: (site: string, gateway: string): string => `telemetry.v1.${site}.${gateway}.batch`,
  allTelemetry: 'telemetry.v1.>',

  /**
   * Core NATS notification after twin changes are committed: one message per commit, every change
   * of it in a binary frame (twin-change.codec.ts). At most once: a consumer that missed one sees
   * the gap in an asset's `fromVersion` and reads the twin.
   */
  twinChanges: (site: string): string => `twin.v1.changed.${site}`,
  allTwinChanges: 'twin.v1.changed.>',

  /** Predictions of one site, in batches: `prediction.v1.<site>`. */
  predictions: (site: string): string => `prediction.v1.${site}`,
  allPredictions: 'prediction.v1.>',

  /** Replacement-order transitions: `order.v1.<site>.<asset>`. */
  orderEvents: (site: string, asset: string): string => `order.v1.${site}.${asset}`,
  allOrderEvents: 'order.v1.>',

  /** A site's upstream outbox. Compacted twin deltas of many assets, one flush a message. */
  syncTwins: (site: string): string => `sync.v1.${site}.twins`,
  /** The site health summary, every few seconds. */
  syncHealth: (site: string): string => `sync.v1.${site}.health`,
  /** Desired-state conflicts the edge found while merging a central change. */
  syncConflicts: (site: string): string => `sync.v1.${site}.conflicts`,
  /** What a site's predictor did with a staged model release (shadow, promoted, rolled back, and why). */
  syncModelStatus: (site: string): string => `sync.v1.${site}.model-status`,
  allSyncOut: 'sync.v1.>',

  /** Central state a site must take (hub stream DOWNLINK; each site sources its own part). */
  downlinkDesired: (site: string, asset: string): string => `downlink.v1.${site}.desired.${asset}`,
  downlinkPolicy: (site: string, assetClass: string): string => `downlink.v1.${site}.policy.${assetClass}`,
  /** The newest model release announced to a site; its files follow as chunks (published first). */
  downlinkModelRelease: (site: string): string => `downlink.v1.${site}.model.release`,
  /** Chunk `index` of the newest release's bundle; one subject per index, so the hub keeps one copy per site. */
  downlinkModelChunk: (site: string, index: number): string => `downlink.v1.${site}.model.chunk.${index}`,
  downlinkOfSite: (site: string): string => `downlink.v1.${site}.>`,
  allDownlink: 'downlink.v1.>',

  /** Core NATS from the central platform to one site (not stored): how far it has applied the outbox. */
  syncApplied: (site: string): string => `central.v1.${site}.sync.applied`,
  /** Core NATS from the central platform: assets whose chain it cannot continue (a gap); the edge sends snapshots. */
  syncSnapshotRequest: (site: string): string => `central.v1.${site}.sync.snapshot`,

  /**
   * The release a site promoted, kept at the site (stream MODEL_ACTIVE) in the downlink's format, so
   * a restarted predictor runs it again even after a later release replaced the downlink copy.
   */
  modelActiveRelease: (site: string): string => `model.v1.${site}.active.release`,
  modelActiveChunk: (site: string, index: number): string => `model.v1.${site}.active.chunk.${index}`,
  modelActiveOfSite: (site: string): string => `model.v1.${site}.active.>`,
  /**
   * The site's last rollout decision (shadow, promoted, rolled_back) as reported, kept in MODEL_ACTIVE:
   * the predictor's memory across restarts, so a release decided here is not tried again.
   */
  modelDecision: (site: string): string => `model.v1.${site}.decision`,

  /** Rejected input with its reason: `deadletter.v1.<source>.<site>`; `_unknown` when the site is unreadable. */
  deadLetter: (source: DeadLetterSource, site: string | undefined): string => `deadletter.v1.${source}.${site ?? '_unknown'}`,
  allDeadLetters: 'deadletter.v1.>',
} as const;

export type DeadLetterSource = 'telemetry' | 'prediction' | 'sync';

/** JetStream streams the edge relies on, with the subjects they capture. */
export const Streams = {
  /** `twinConsumer`: the twin service's durable consumer; the console and tests read its backlog. */
  telemetry: { name: 'TELEMETRY', subjects: [Subjects.allTelemetry], twinConsumer: 'twin-ingest' },
  deadLetters: { name: 'DEAD_LETTERS', subjects: [Subjects.allDeadLetters] },
  predictions: { name: 'PREDICTIONS', subjects: [Subjects.allPredictions] },
  orders: { name: 'ORDERS', subjects: [Subjects.allOrderEvents] },
  /** The site's upstream outbox; the hub sources it across JetStream domains when the link is up. */
  syncOut: { name: 'SYNC_OUT', subjects: [Subjects.allSyncOut] },
  /** At the edge: the promoted model release (subjects per site, see Subjects.modelActiveOfSite). */
  modelActive: { name: 'MODEL_ACTIVE' },
  /** At the edge: the site's part of the hub's DOWNLINK, sourced across domains (no own subjects). */
  downlinkIn: { name: 'DOWNLINK_IN', subjects: [] as string[] },
} as const;

/** Streams of the central hub. */
export const HubStreams = {
  /** Everything central sends sites; only the newest message per subject is kept. */
  downlink: { name: 'DOWNLINK', subjects: [Subjects.allDownlink] },
  /** One per site: its SYNC_OUT and ORDERS streams, sourced across domains. */
  syncIn: (site: string): string => `SYNC_IN_${site.replace(/-/g, '_')}`,
} as const;

/** What a sync subject carries, read from `sync.v1.<site>.<kind>`. */
export function parseSyncSubject(subject: string): { site: string; kind: 'twins' | 'health' | 'conflicts' | 'model-status' } | null {
  const t = subject.split('.');
  if (t.length !== 4 || t[0] !== 'sync' || t[1] !== SUBJECT_VERSION) return null;
  if (t[3] !== 'twins' && t[3] !== 'health' && t[3] !== 'conflicts' && t[3] !== 'model-status') return null;
  return { site: t[2], kind: t[3] };
}

export type TelemetrySubject =
  | { kind: 'reading'; site: string; asset: string }
  | { kind: 'batch'; site: string; gateway: string };

/** Reads the routing tokens out of a telemetry subject, or null when it is not one. */
export function parseTelemetrySubject(subject: string): TelemetrySubject | null {
  const t = subject.split('.');
  if (t[0] !== 'telemetry' || t[1] !== SUBJECT_VERSION) return null;
  if (t.length === 4) return { kind: 'reading', site: t[2], asset: t[3] };
  if (t.length === 5 && t[4] === 'batch') return { kind: 'batch', site: t[2], gateway: t[3] };
  return null;
}
