import type { ConsoleMode } from '@millwright/console-contracts';
import type { ConsoleUser } from './console-users';

export const CONSOLE_OPTIONS = Symbol('CONSOLE_OPTIONS');

export interface ConsoleOptions {
  mode: ConsoleMode;
  /** The site an edge console serves ('' = whatever sites the twin service holds). */
  site: string;
  twinServiceUrl: string;
  maintenanceUrl: string;
  predictorUrl: string;
  /** Fleet mode: the central asset platform's API. */
  centralApiUrl: string;
  /** NATS monitoring endpoint (leaf-node state for the uplink); '' to not ask. */
  natsMonitorUrl: string;
  users: ConsoleUser[];
  sessionSecret: string;
  sessionTtlMs: number;
  auditPath: string;
  /** Folder whose validation-plot.svg and model-card.json the model page shows. */
  modelDir: string;
  upstreamTimeoutMs: number;
  /** How often changed assets are pushed to browsers (coalesced per asset). */
  liveFlushMs: number;
  /** RUL history points kept per asset. */
  rulHistoryPerAsset: number;
  /** Marks the session cookie Secure (behind TLS). */
  secureCookies: boolean;
  /** Bearer token for the services' APIs (empty: none). */
  serviceToken?: string;
  /** Failed sign-ins per client address before 429, and their window. */
  signIn?: { maxFailures: number; windowMs: number };
}
