import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ConfigError, bool, duration, int, loadConfig, oneOf, str, type ConfigOf } from '@millwright/config';
import { parseUsers, type ConsoleOptions } from '@millwright/console';
import { readRoleEntries } from '@millwright/http-auth';

/** Every setting of the staff console; the README's configuration table is checked against this. */
export const consoleSettings = {
  CONSOLE_MODE: oneOf('edge serves one site from its own services; fleet serves every site from the central platform (site picker)', ['edge', 'fleet'] as const, { default: 'edge' }),
  HTTP_HOST: str('Address the console listens on', { default: '0.0.0.0' }),
  HTTP_PORT: int('Port of the UI, its API, /docs, /metrics and health endpoints', { default: 8084, min: 0, max: 65535 }),
  NATS_URL: str('Edge: NATS server(s) for live twin and order events, comma-separated', { default: 'nats://127.0.0.1:4222' }),
  NATS_NKEY_SEED_FILE: str('Edge: file with the console\'s NATS nkey seed (a mounted Secret from `npm run provision`); empty: connect without credentials', { default: '' }),
  NATS_MONITOR_URL: { ...str("Edge: the NATS server's monitoring endpoint, for the uplink (leaf node) state; empty to not ask", { default: 'http://127.0.0.1:8222' }) },
  CONSOLE_SITE: { ...str('Edge: the site shown (empty: every site the twin service holds)', { default: '' }), defaultDoc: '(every site)' },
  TWIN_SERVICE_URL: str('Edge: twin service base URL', { default: 'http://127.0.0.1:8080' }),
  PREDICTOR_URL: str('Edge: predictor base URL (model page)', { default: 'http://127.0.0.1:8081' }),
  MAINTENANCE_URL: str('Edge: maintenance service base URL (orders, policies)', { default: 'http://127.0.0.1:8082' }),
  CENTRAL_API_URL: str('Fleet: the asset platform API base URL', { default: 'http://127.0.0.1:8083' }),
  CONSOLE_USERS: { ...str('Users as `name:role:scrypt-hash` entries separated by newlines, commas or semicolons; roles viewer, technician, admin; hashes from `main.js hash-password`', { default: '' }), defaultDoc: '(none)' },
  CONSOLE_USERS_FILE: { ...str('File with more user entries, one per line (a mounted Secret)', { default: '' }), defaultDoc: '(none)' },
  CONSOLE_SESSION_SECRET: { ...str('Key that signs session tokens, 16+ characters, the same on every replica', { default: '' }), defaultDoc: '(random per start: restarts sign everyone out)' },
  CONSOLE_SESSION_TTL: duration('How long a sign-in lasts', { default: 8 * 3_600_000 }),
  CONSOLE_SECURE_COOKIES: bool('Mark the session cookie Secure (when served over TLS)', { default: false }),
  CONSOLE_AUDIT_PATH: str('Append-only JSON-lines file of every console action with its user (its folder is created)', { default: './data/console-audit.jsonl' }),
  CONSOLE_UI_DIR: { ...str('Folder of the built UI', { default: '' }), defaultDoc: '(`public/` beside the built app)' },
  MODEL_DIR: str('Model folder whose validation plot the model page shows', { default: 'models/fd001' }),
  UPSTREAM_TIMEOUT: duration('Time a call to another service may take', { default: 5000 }),
  LIVE_FLUSH_INTERVAL: duration('How often changed assets are pushed to browsers (coalesced per asset)', { default: 500 }),
  API_CLIENT_TOKEN: str('Bearer token the console sends to the twin, predictor, maintenance and central APIs (from a Secret; it acts for signed-in users, so it needs the admin role); empty: none', { default: '' }),
  CONSOLE_SIGNIN_MAX_FAILURES: int('Failed sign-ins one client address may make within CONSOLE_SIGNIN_FAILURE_WINDOW before it gets 429 too_many_attempts', { default: 10, min: 1 }),
  CONSOLE_SIGNIN_FAILURE_WINDOW: duration('Window of CONSOLE_SIGNIN_MAX_FAILURES', { default: 5 * 60_000 }),
  RUL_HISTORY_PER_ASSET: int('RUL history points the console keeps per asset (in memory)', { default: 500, min: 10, max: 100_000 }),
};

export type ConsoleConfig = ConfigOf<typeof consoleSettings>;
export const loadConsoleConfig = (env: NodeJS.ProcessEnv = process.env): ConsoleConfig => loadConfig(consoleSettings, env);

/** The console's options from its config; refuses to start without users or with a bad entry. */
export function consoleOptions(c: ConsoleConfig, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): ConsoleOptions {
  let users;
  try {
    users = parseUsers(readRoleEntries(c.CONSOLE_USERS, c.CONSOLE_USERS_FILE, 'CONSOLE_USERS_FILE', readFile));
  } catch (e) {
    throw new ConfigError([`CONSOLE_USERS: ${(e as Error).message}`]);
  }
  if (!users.length) throw new ConfigError(['CONSOLE_USERS or CONSOLE_USERS_FILE must name at least one user']);
  if (c.CONSOLE_SESSION_SECRET && c.CONSOLE_SESSION_SECRET.length < 16) throw new ConfigError(['CONSOLE_SESSION_SECRET must be at least 16 characters']);
  return {
    mode: c.CONSOLE_MODE,
    site: c.CONSOLE_SITE,
    twinServiceUrl: c.TWIN_SERVICE_URL,
    maintenanceUrl: c.MAINTENANCE_URL,
    predictorUrl: c.PREDICTOR_URL,
    centralApiUrl: c.CENTRAL_API_URL,
    natsMonitorUrl: c.NATS_MONITOR_URL,
    users,
    sessionSecret: c.CONSOLE_SESSION_SECRET || randomBytes(32).toString('base64url'),
    sessionTtlMs: c.CONSOLE_SESSION_TTL,
    secureCookies: c.CONSOLE_SECURE_COOKIES,
    auditPath: c.CONSOLE_AUDIT_PATH,
    modelDir: c.MODEL_DIR,
    upstreamTimeoutMs: c.UPSTREAM_TIMEOUT,
    liveFlushMs: c.LIVE_FLUSH_INTERVAL,
    rulHistoryPerAsset: c.RUL_HISTORY_PER_ASSET,
    serviceToken: c.API_CLIENT_TOKEN,
    signIn: { maxFailures: c.CONSOLE_SIGNIN_MAX_FAILURES, windowMs: c.CONSOLE_SIGNIN_FAILURE_WINDOW },
  };
}
