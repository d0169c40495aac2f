import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { newApiToken } from '@millwright/http-auth';
import { freePort, makeTempDir, repoRoot, startProcess, waitFor, WaitAborted, type RunningProcess, type TempDir } from '@millwright/testing';
import { startBuiltApp, type AppHandle } from './support/built-app.process';
import { CONSOLE_TEST_USERS, startConsole } from './support/console.process';

// The built services as production runs them: a site nats-server that admits only provisioned
// identities, the twin service taking bearer tokens, the console calling it with its service token.
describe('HTTP APIs with tokens and roles, services on an authenticated site server (built services)', () => {
  let dir: TempDir;
  let nats: RunningProcess;
  let natsUrl: string;
  let twin: AppHandle;
  let consoleApp: AppHandle;
  const viewer = newApiToken('dashboards', 'viewer');
  const consoleToken = newApiToken('console', 'admin');
  let servicesSeed: string;

  beforeAll(async () => {
    dir = makeTempDir('mw-http-auth-');
    const ids = join(dir.path, 'identities');
    execFileSync('node', [join(repoRoot(), 'dist/tools/provisioning/src/main.js'), 'site', 'plant-1', '--out', ids]);
    const siteDir = join(ids, 'sites', 'plant-1');
    servicesSeed = join(siteDir, 'services.nk');
    for (const f of readdirSync(join(repoRoot(), 'config/nats'))) copyFileSync(join(repoRoot(), 'config/nats', f), join(siteDir, f));
    const [port, http, mqtt] = [await freePort(), await freePort(), await freePort()];
    nats = startProcess('nats-server', ['-c', join(siteDir, 'nats-edge-secure.conf')], {
      env: { ...process.env, NATS_SERVER_NAME: 'plant-1', NATS_PORT: String(port), NATS_HTTP_PORT: String(http), NATS_MQTT_PORT: String(mqtt), NATS_STORE_DIR: join(dir.path, 'js'), NATS_JS_DOMAIN: 'plant-1', NATS_MAX_FILE_STORE: '2GB' },
    });
    await waitFor(async () => {
      if (nats.child.exitCode !== null) throw new WaitAborted(nats.output());
      return (await fetch(`http://127.0.0.1:${http}/healthz?js-enabled-only=true`).catch(() => null))?.ok ?? false;
    }, { what: 'the site nats-server' });
    natsUrl = `nats://127.0.0.1:${port}`;
    twin = await startBuiltApp('twin-service', {
      NATS_URL: natsUrl,
      NATS_NKEY_SEED_FILE: servicesSeed,
      TWIN_DB_PATH: join(dir.path, 'twins.db'),
      API_TOKENS: [viewer.entry, consoleToken.entry].join('\n'),
      API_AUTH_MAX_FAILURES: '3',
    });
  });
  afterAll(async () => {
    await consoleApp?.stop();
    await twin?.stop();
    await nats?.stop();
    dir?.remove();
  });

  const get = (path: string, token?: string, method = 'GET') => fetch(`${twin.baseUrl}${path}`, { method, headers: token ? { authorization: `Bearer ${token}`, 'content-type': 'application/merge-patch+json' } : {}, body: method === 'PATCH' ? '{"mode":"eco"}' : undefined });

  it('keeps health, metrics and the API docs open and the API closed without a token', async () => {
    for (const p of ['/health/live', '/health/ready', '/metrics', '/docs-json']) expect({ p, status: (await get(p)).status }).toEqual({ p, status: 200 });
    const r = await get('/api/v1/twins');
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('lets a viewer read and refuses it a change', async () => {
    expect((await get('/api/v1/twins', viewer.token)).status).toBe(200);
    const patch = await get('/api/v1/twins/plant-1/pump-1/desired', viewer.token, 'PATCH');
    expect(patch.status).toBe(403);
    expect(await patch.json()).toMatchObject({ code: 'forbidden', details: { required: 'technician' } });
  });

  it('gives the console a service token and rate-limits its failed sign-ins', async () => {
    consoleApp = await startConsole({ NATS_URL: natsUrl, NATS_NKEY_SEED_FILE: servicesSeed, TWIN_SERVICE_URL: twin.baseUrl, CONSOLE_SITE: 'plant-1', API_CLIENT_TOKEN: consoleToken.token, CONSOLE_SIGNIN_MAX_FAILURES: '3' }, dir.path);
    const u = CONSOLE_TEST_USERS[0];
    const signIn = (password: string) => fetch(`${consoleApp.baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: u.name, password }) });
    const ok = await signIn(u.password);
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0];
    // The console reads the twin service with its own token.
    expect((await fetch(`${consoleApp.baseUrl}/api/v1/assets`, { headers: { cookie } })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await signIn('guess')).status).toBe(401);
    const locked = await signIn(u.password);
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ code: 'too_many_attempts' });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers 429 too_many_attempts after repeated wrong tokens, even to a right one', async () => {
    for (let i = 0; i < 3; i++) expect((await get('/api/v1/twins', `mwt_guess-${i}`)).status).toBe(401);
    const locked = await get('/api/v1/twins', viewer.token);
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ code: 'too_many_attempts' });
    expect((await get('/health/live')).status).toBe(200);
  });
});
