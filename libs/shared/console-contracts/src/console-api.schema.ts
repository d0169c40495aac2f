/**
 * What the staff console's browser code and its backend (the console service, a thin BFF in front
 * of the twin, maintenance and predictor APIs) say to each other. Types only: the browser bundle
 * imports them without pulling in server code.
 */

/** Ordered: each role may do everything the roles before it may. */
export const CONSOLE_ROLES = ['viewer', 'technician', 'admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

export type ConsoleMode = 'edge' | 'fleet';

export interface SessionInfo {
  user: string;
  role: ConsoleRole;
  mode: ConsoleMode;
  /** The site this edge console serves; null in fleet mode (the user picks one). */
  site: string | null;
  expiresAt: number;
}

export type HealthStatus = 'ok' | 'warning' | 'critical' | 'unknown';

/** One row of the assets table: a projection of the twin, its prediction and its open order. */
export interface AssetRow {
  site: string;
  asset: string;
  assetClass: string | null;
  health: HealthStatus;
  rul: number | null;
  risk: number | null;
  modelVersion: string | null;
  lastSeenAt: number | null;
  /** The asset's open replacement order, if any. */
  openOrder: { id: string; state: string } | null;
  version: number;
}

export interface AssetPage {
  items: AssetRow[];
  total: number;
}

/** A point of an asset's RUL history, kept by the console from the twin's derived changes. */
export interface RulPoint {
  at: number;
  rul: number | null;
  risk: number | null;
  modelVersion: string;
  basedOnSeq: number | null;
}

export interface SiteSummary {
  site: string;
  assets?: number;
  lastSyncAt?: number | null;
  [k: string]: unknown;
}

export interface SiteHealth {
  site: string | null;
  /** Readings applied per second over the last 10 s (from twin-changed events). */
  ingestPerSecond: number;
  /** Readings waiting for the twin service (TELEMETRY consumer pending + unacked), null when unknown. */
  backlog: number | null;
  deadLetters: number | null;
  /** Uplink to the central hub: NATS leaf-node connections seen by the monitoring endpoint. */
  link: 'up' | 'down' | 'unknown';
  /** Twin deltas waiting in the upstream outbox (SYNC_OUT), null when the stream is absent. */
  syncBacklog: number | null;
  broker: 'connected' | 'disconnected';
  at: number;
}

export interface DeadLetterRow {
  seq: number;
  subject: string;
  reason: string;
  detail: string;
  rejectedAt: number;
  payload: string;
}

export interface AuditRecord {
  at: number;
  user: string;
  role: ConsoleRole | null;
  action: string;
  target: string;
  outcome: 'ok' | 'denied' | 'failed';
  reason?: string;
  detail?: string;
}

/**
 * Server-sent events of `GET /api/v1/events`: `assets` carries rows that changed since the last
 * flush (coalesced per asset), `order` one transition of a replacement order, `health` the site's
 * health every few seconds.
 */
export interface LiveOrderEvent {
  orderId: string;
  site: string;
  asset: string;
  from: string | null;
  to: string;
  action: string;
  actor: { kind: string; id: string };
  reason: string;
  at: number;
}

/** Error codes of the console beyond the shared ones. */
export const ConsoleErrorCode = {
  Unauthenticated: 'unauthenticated',
  BadCredentials: 'bad_credentials',
  Forbidden: 'forbidden',
  UpstreamUnavailable: 'upstream_unavailable',
  NotInFleetMode: 'not_in_fleet_mode',
} as const;
export type ConsoleErrorCode = (typeof ConsoleErrorCode)[keyof typeof ConsoleErrorCode];
