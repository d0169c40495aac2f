// UI benchmark (issue 6): how long until the assets table of a 10,000-asset site is rendered and
// interactive in headless Chromium, and how big the shipped front end is (gzip). nats-server, the
// twin service and the console run as the built processes; the bench plays the gateways and the
// predictor. Writes bench-results/ui.json.   npm run bench -- ui [--assets N] [--runs N]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { connect } from 'nats';
import { chromium } from 'playwright-core';
import { hashPassword } from '@millwright/console';
import { Streams, Subjects } from '@millwright/contracts';
import { freePort, makeTempDir, repoRoot, startNatsServer, startProcess, waitFor, WaitAborted, type RunningProcess } from '@millwright/testing';
import { machineNote, writeBenchResults } from '../common/bench-results.writer';

const TARGETS = { table_ms: 1000, bundle_kb: 300 } as const;
const SITE = 'bench';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function startApp(name: string, env: Record<string, string>): Promise<{ url: string; proc: RunningProcess }> {
  const port = await freePort();
  const proc = startProcess(process.execPath, [join(repoRoot(), 'dist', 'apps', name, 'src', 'main.js')], { env: { ...process.env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), ...env } });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (proc.child.exitCode !== null) throw new WaitAborted(`${name} exited:\n${proc.output()}`);
    return (await fetch(`${url}/health/ready`)).ok;
  }, { timeoutMs: 30_000, what: `${name} readiness` });
  return { url, proc };
}

/** The files index.html loads, gzip-compressed as a server or proxy would send them. */
function bundleKb(): { total: number; files: Record<string, number> } {
  const dir = join(repoRoot(), 'dist', 'apps', 'console', 'public');
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`${dir} has no UI build`);
  const files: Record<string, number> = {};
  for (const f of readdirSync(dir)) files[f] = Math.round((gzipSync(readFileSync(join(dir, f))).length / 1024) * 10) / 10;
  return { total: Math.round(Object.values(files).reduce((a, b) => a + b, 0) * 10) / 10, files };
}

async function main(): Promise<void> {
  const assets = arg('assets', 10_000);
  const runs = arg('runs', 5);
  const bundle = bundleKb();
  const nats = await startNatsServer();
  const dir = makeTempDir('mw-bench-ui-');
  const procs: RunningProcess[] = [];
  try {
    const twin = await startApp('twin-service', { NATS_URL: nats.url, TWIN_DB_PATH: join(dir.path, 'twins.db'), SQLITE_SYNCHRONOUS: 'normal' });
    procs.push(twin.proc);
    const nc = await connect({ servers: nats.url });
    const names = Array.from({ length: assets }, (_, i) => `pump-${String(i).padStart(5, '0')}`);
    const ts = Date.now();
    for (let i = 0; i < names.length; i += 1000) {
      const readings = names.slice(i, i + 1000).map((asset) => ({ site: SITE, asset, seq: 1, ts: ts - (i % 7) * 60_000, values: { T50: 1400 }, assetClass: i % 2 ? 'pump' : 'turbofan' }));
      nc.publish(Subjects.readingBatch(SITE, 'bench-gw'), Buffer.from(JSON.stringify({ site: SITE, gateway: 'bench-gw', readings })));
    }
    // Varied health, so sorting by health and RUL has work to do.
    const js = nc.jetstream();
    for (let i = 0; i < names.length; i += 1000) {
      const predictions = names.slice(i, i + 1000).map((asset, j) => {
        const rul = ((i + j) * 7919) % 125;
        return { site: SITE, asset, status: 'ok', rul, failureRisk: rul < 30 ? 0.9 : 0.05, health: rul < 20 ? 'critical' : rul < 50 ? 'warning' : 'ok', modelVersion: 'bench', at: ts, basedOnSeq: 1 };
      });
      await js.publish(Subjects.predictions(SITE), Buffer.from(JSON.stringify({ site: SITE, predictions })));
    }
    const jsm = await nc.jetstreamManager();
    await waitFor(async () => {
      const c = await jsm.consumers.info(Streams.predictions.name, 'twin-derived').catch(() => undefined);
      const t = await jsm.consumers.info(Streams.telemetry.name, Streams.telemetry.twinConsumer).catch(() => undefined);
      return !!c && !!t && c.num_pending + c.num_ack_pending + t.num_pending + t.num_ack_pending === 0 && c.delivered.stream_seq > 0;
    }, { timeoutMs: 120_000, what: 'the twin service to take every reading and prediction' });
    await nc.close();

    const password = 'bench-password';
    const consoleApp = await startApp('console', {
      NATS_URL: nats.url, TWIN_SERVICE_URL: twin.url, MAINTENANCE_URL: 'http://127.0.0.1:9', PREDICTOR_URL: 'http://127.0.0.1:9', NATS_MONITOR_URL: '',
      CONSOLE_USERS: `bench:viewer:${await hashPassword(password)}`, CONSOLE_AUDIT_PATH: join(dir.path, 'audit.jsonl'),
    });
    procs.push(consoleApp.proc);
    const login = await fetch(`${consoleApp.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bench', password }) });
    const { token } = (await login.json()) as { token: string };
    await waitFor(async () => {
      const r = (await (await fetch(`${consoleApp.url}/api/v1/assets`, { headers: { authorization: `Bearer ${token}` } })).json()) as { total: number; hydrated: boolean };
      return r.hydrated && r.total === assets;
    }, { timeoutMs: 60_000, what: 'the console to hold every asset' });

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const samples: Array<{ table_ms: number; rendered_ms: number; sort_ms: number }> = [];
    try {
      for (let run = 0; run < runs + 1; run++) {
        // A fresh context per run: nothing cached, as a tablet opening the console for the first time.
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        await ctx.addCookies([{ name: 'mw_session', value: token, url: consoleApp.url }]);
        const page = await ctx.newPage();
        const t0 = performance.now();
        await page.goto(`${consoleApp.url}/#/assets`);
        await page.locator('[data-ready="true"] tr[data-asset]').first().waitFor({ timeout: 30_000 });
        await page.getByText(`${assets} of ${assets} assets`).waitFor();
        const t1 = performance.now();
        // Interactive: the first click on a column header re-sorts all rows and shows the result.
        const rulHeader = page.locator('th', { hasText: 'RUL (cycles)' });
        await rulHeader.getByRole('button').click();
        await page.locator('th[aria-sort="ascending"]', { hasText: 'RUL (cycles)' }).waitFor();
        await page.locator('tbody tr[data-asset] td.num').first().filter({ hasText: /^0$/ }).waitFor();
        const t2 = performance.now();
        await ctx.close();
        if (run === 0) continue; // warm-up: the first run also pays Chromium's own start
        samples.push({ table_ms: Math.round(t2 - t0), rendered_ms: Math.round(t1 - t0), sort_ms: Math.round(t2 - t1) });
      }
    } finally {
      await browser.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const table_ms = median(samples.map((s) => s.table_ms));
    const results = {
      table_ms,
      rendered_ms: median(samples.map((s) => s.rendered_ms)),
      sort_ms: median(samples.map((s) => s.sort_ms)),
      bundle_kb: bundle.total,
      bundle_files_kb_gzip: bundle.files,
      assets,
      targets: {
        table_ms: { target: TARGETS.table_ms, pass: table_ms <= TARGETS.table_ms },
        bundle_kb: { target: TARGETS.bundle_kb, pass: bundle.total <= TARGETS.bundle_kb },
      },
      runs: samples,
      method: 'median of runs after one warm-up; each run a fresh browser context: navigation start to all rows loaded and the first rows rendered (rendered_ms), then a click on the RUL header until the re-sorted first row shows (sort_ms); table_ms is the sum',
      machine: machineNote(),
    };
    const path = writeBenchResults('ui', results);
    console.log(`ui: ${assets} assets, table rendered and interactive in ${table_ms} ms (rendered ${results.rendered_ms} ms + first sort ${results.sort_ms} ms; target <= ${TARGETS.table_ms}: ${results.targets.table_ms.pass ? 'met' : 'MISSED'})`);
    console.log(`ui: front-end bundle ${bundle.total} KB gzip (target <= ${TARGETS.bundle_kb}: ${results.targets.bundle_kb.pass ? 'met' : 'MISSED'})`);
    console.log(`ui: results in ${path}`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await nats.stop();
    dir.remove();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
