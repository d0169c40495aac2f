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
   * Core NATS notification after a twin change is committed (at most once: a consumer that missed
   * one sees the gap in `fromVersion` and reads the twin).
   */
  twinChanged: (site: string, asset: string): string => `twin.v1.changed.${site}.${asset}`,
  allTwinChanges: 'twin.v1.changed.>',

  /** Predictions of one site, in batches: `prediction.v1.<site>`. */
  predictions: (site: string): string => `prediction.v1.${site}`,
  allPredictions: 'prediction.v1.>',

  /** Replacement-order transitions: `order.v1.<site>.<asset>`. */
  orderEvents: (site: string, asset: string): string => `order.v1.${site}.${asset}`,
  allOrderEvents: 'order.v1.>',

  /** Compacted twin deltas a site sends upstream: `sync.v1.<site>.twin.<asset>`. */
  twinDelta: (site: string, asset: string): string => `sync.v1.${site}.twin.${asset}`,
  allSyncOut: 'sync.v1.>',

  /** Rejected input with its reason: `deadletter.v1.<source>.<site>`; `_unknown` when the site is unreadable. */
  deadLetter: (source: DeadLetterSource, site: string | undefined): string => `deadletter.v1.${source}.${site ?? '_unknown'}`,
  allDeadLetters: 'deadletter.v1.>',
} as const;

export type DeadLetterSource = 'telemetry' | 'prediction';

/** JetStream streams the edge relies on, with the subjects they capture. */
export const Streams = {
  telemetry: { name: 'TELEMETRY', subjects: [Subjects.allTelemetry] },
  deadLetters: { name: 'DEAD_LETTERS', subjects: [Subjects.allDeadLetters] },
  predictions: { name: 'PREDICTIONS', subjects: [Subjects.allPredictions] },
  orders: { name: 'ORDERS', subjects: [Subjects.allOrderEvents] },
  /** The site's upstream outbox; the hub sources it across JetStream domains when the link is up. */
  syncOut: { name: 'SYNC_OUT', subjects: [Subjects.allSyncOut] },
} as const;

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
