// Sync benchmark (issue 5): a site buffers `--seconds` of readings (500 assets at 1 reading/s for an
// hour by default) while its uplink is cut, then the link comes back. Measures the bytes the site
// sends upstream per reading (compacted, gzipped twin deltas vs forwarding the raw readings) and the
// time until the central asset platform's twins equal the edge's. Real nats-servers (hub + leaf
// site), the built twin service and asset platform as processes.
// Writes bench-results/sync.json.   npm run bench -- sync [--quick] ...   (--help for flags)
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from 'nats';
import { CMAPSS_SENSORS, CMAPSS_SETTINGS, generateSyntheticFleet, loadFleetProfile, type CmapssEngine } from '@millwright/cmapss';
import { Streams, Subjects, type ReadingV1 } from '@millwright/contracts';
import { WaitAborted, deployedRuntime, makeTempDir, startHubAndSites, waitFor, type Topology } from '@millwright/testing';
import { machineNote, writeBenchResults } from '../common/bench-results.writer';
import { assertRunning, startBenchService, stopBenchService, type BenchService } from '../inference/bench-services.launcher';
import { SYNC_BENCH_USAGE, parseSyncBenchArgs, type SyncBenchOptions } from './sync-bench.options';

const SITE = 'bench-site';
const TARGETS = { bytesRatio: 20, drainS: 60 } as const;
const MB = 1024 ** 2;

type Log = (line: string) => void;

interface TwinView {
  asset: string;
  version: number;
  lastSeq: number;
  reported: Record<string, { v: number; ts: number; seq: number }>;
}

/** One reading per asset per second of data, cycling through each synthetic engine's life (real noise, real decimals). */
function readingAt(engines: CmapssEngine[], assets: string[], i: number, second: number, ts: number): ReadingV1 {
  const e = engines[i];
  const row = e.rows[second % e.rows.length];
  const values: Record<string, number> = {};
  CMAPSS_SETTINGS.forEach((n, j) => (values[n] = row.settings[j]));
  CMAPSS_SENSORS.forEach((n, j) => (values[n] = row.sensors[j]));
  return { site: SITE, asset: assets[i], seq: second + 1, ts, values };
}

async function twinsOf(url: string): Promise<TwinView[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return ((await res.json()) as { items: TwinView[] }).items;
}

async function run(o: SyncBenchOptions, log: Log): Promise<Record<string, unknown>> {
  const dir = makeTempDir('mw-bench-sync-');
  let topo: Topology | undefined;
  let twin: BenchService | undefined;
  let platform: BenchService | undefined;
  const conns: NatsConnection[] = [];
  try {
    topo = await startHubAndSites({ sites: [SITE], isolation: 'auto' });
    await waitFor(() => topo!.site(SITE).leafConnected(), { timeoutMs: 15_000, what: 'the uplink' });
    log(`topology: hub + ${SITE} (${topo.isolation}${topo.fallbackReason ? `: ${topo.fallbackReason}` : ''})`);
    // As production starts it (image script and ENV, the Deployment's NODE_OPTIONS): the catch-up
    // after an outage must fit the heap the site runs with.
    const twinRuntime = deployedRuntime('twin-service');
    twin = await startBenchService(
      'twin-service',
      twinRuntime.entry,
      {
        ...twinRuntime.env,
        NATS_URL: topo.site(SITE).url,
        TWIN_DB_PATH: join(dir.path, 'twins.db'),
        SQLITE_SYNCHRONOUS: 'normal',
        SYNC_ENABLED: 'true',
        SITE_ID: SITE,
        SYNC_HUB_DOMAIN: topo.hub.domain,
        SYNC_INTERVAL: o.interval,
        // Gateway batches of 500 readings are ~225 KB: in-flight messages times that must stay well
        // under the server's 64 MB per-client buffer (the service's documented limit).
        INGEST_MAX_ACK_PENDING: String(Math.max(10, Math.floor(25e6 / (o.assets * 450)))),
        TELEMETRY_STREAM_MAX_BYTES: String(1200 * MB),
        SYNC_STREAM_MAX_BYTES: String(256 * MB),
        DEAD_LETTER_MAX_BYTES: String(16 * MB),
        PREDICTIONS_STREAM_MAX_BYTES: String(16 * MB),
      },
      [],
    );
    // As production starts it too: its image's script and ENV, its Deployment's NODE_OPTIONS.
    const platformRuntime = deployedRuntime('asset-platform');
    platform = await startBenchService(
      'asset-platform',
      platformRuntime.entry,
      { ...platformRuntime.env, NATS_URL: topo.hub.url, PLATFORM_DB_PATH: join(dir.path, 'platform.db'), SITES: `${SITE}=${topo.site(SITE).domain}`, SYNC_INBOX_MAX_BYTES: String(512 * MB), DEAD_LETTER_MAX_BYTES: String(16 * MB) },
      [],
    );
    const edgeNc = await connect({ servers: topo.site(SITE).url });
    const hubNc = await connect({ servers: topo.hub.url });
    conns.push(edgeNc, hubNc);
    const edgeJsm = await edgeNc.jetstreamManager();
    const edgeJs = edgeNc.jetstream();

    const assets = Array.from({ length: o.assets }, (_, i) => `eng-${String(i + 1).padStart(4, '0')}`);
    const engines = generateSyntheticFleet(loadFleetProfile(), o.assets, 20261125);
    const edgeUrl = `${twin.baseUrl}/api/v1/twins?site=${SITE}&limit=1000`;
    const centralUrl = `${platform.baseUrl}/api/v1/assets?site=${SITE}&limit=1000&sort=asset`;

    // The backlog: one gateway batch per second of data, stamped an hour (or --seconds) back.
    await topo.cut(SITE);
    log(`uplink cut; buffering ${o.seconds} s of ${o.assets} assets (${(o.seconds * o.assets).toLocaleString('en')} readings)`);
    const outboxBefore = (await edgeJsm.streams.info(Streams.syncOut.name)).state;
    const t0 = Date.now() - (o.seconds + 60) * 1000;
    let rawSingleBytes = 0;
    let rawGzipBytes = 0;
    const pubStart = performance.now();
    for (let s = 0; s < o.seconds; s++) {
      const readings = assets.map((_, i) => readingAt(engines, assets, i, s, t0 + s * 1000));
      for (const r of readings) rawSingleBytes += Buffer.byteLength(Subjects.reading(SITE, r.asset)) + Buffer.byteLength(JSON.stringify(r));
      const body = Buffer.from(JSON.stringify({ site: SITE, gateway: 'gw-1', readings }));
      // What gzip alone would make of the raw readings (a gateway batch of every asset, per second).
      rawGzipBytes += gzipSync(body).byteLength;
      await edgeJs.publish(Subjects.readingBatch(SITE, 'gw-1'), body);
      if (s % 600 === 599) log(`  published ${s + 1} s of data`);
    }
    const telemetry = (await edgeJsm.streams.info(Streams.telemetry.name)).state;
    log(`published in ${((performance.now() - pubStart) / 1000).toFixed(1)} s; waiting for the twin service`);
    // A service that died must end the run with its output, not leave the bench waiting.
    const running = () => {
      try {
        [twin!, platform!].forEach(assertRunning);
      } catch (e) {
        throw new WaitAborted((e as Error).message);
      }
    };
    await waitFor(async () => running() ?? (await twinsOf(edgeUrl)).filter((t) => t.lastSeq === o.seconds).length === o.assets, { timeoutMs: 1_800_000, intervalMs: 1000, what: 'the edge to ingest the backlog' });
    const ingestS = (performance.now() - pubStart) / 1000;
    // The last windows close on the wall clock; then the outbox holds everything. (Health summaries
    // keep arriving every few seconds: only the twin deltas' subject has to settle.)
    const deltaSubject = Subjects.syncTwins(SITE);
    let last = -1;
    await waitFor(async () => {
      const n = (await edgeJsm.streams.info(Streams.syncOut.name, { subjects_filter: deltaSubject })).state.subjects?.[deltaSubject] ?? 0;
      const quiet = n === last;
      last = n;
      return quiet;
    }, { timeoutMs: 120_000, intervalMs: 2 * 1000 + o.intervalMs, what: 'the outbox to settle' });
    const outboxAfter = (await edgeJsm.streams.info(Streams.syncOut.name)).state;
    const readings = o.seconds * o.assets;
    const syncBytes = outboxAfter.bytes - outboxBefore.bytes;
    // Bytes include the health summaries written meanwhile: everything the site sends counts.
    const syncMessages = outboxAfter.messages - outboxBefore.messages;
    const deltaKinds = await syncDeltaCounts(twin);
    log(`edge ingested in ${ingestS.toFixed(1)} s; outbox: ${syncMessages} messages, ${(syncBytes / MB).toFixed(1)} MB, deltas ${JSON.stringify(deltaKinds)}`);

    // The drain: restore, then time until every central twin equals its edge twin.
    const edge = await twinsOf(edgeUrl);
    const drainStart = performance.now();
    await topo.restore(SITE);
    await waitFor(async () => {
      running();
      const central = new Map((await twinsOf(centralUrl)).map((t) => [t.asset, t]));
      return edge.every((t) => central.get(t.asset)?.version === t.version);
    }, { timeoutMs: 900_000, intervalMs: 200, what: 'the central twins to catch up' });
    const drainS = (performance.now() - drainStart) / 1000;
    const central = new Map((await twinsOf(centralUrl)).map((t) => [t.asset, t]));
    const mismatched = edge.filter((t) => {
      const c = central.get(t.asset);
      return !c || c.lastSeq !== t.lastSeq || JSON.stringify(c.reported) !== JSON.stringify(t.reported);
    }).length;
    log(`drained in ${drainS.toFixed(1)} s; central twins differing from the edge: ${mismatched}`);

    // Side by side: the same backlog forwarded raw (a hub stream sourcing the site's TELEMETRY).
    let rawDrainS: number | null = null;
    if (o.rawDrain) {
      const hubJsm = await hubNc.jetstreamManager();
      const rawStart = performance.now();
      await hubJsm.streams.add({ name: 'RAW_IN', sources: [{ name: Streams.telemetry.name, external: { api: `$JS.${topo.site(SITE).domain}.API`, deliver: `deliver.raw.${SITE}` } }] });
      await waitFor(async () => (await hubJsm.streams.info('RAW_IN')).state.messages >= telemetry.messages, { timeoutMs: 900_000, intervalMs: 200, what: 'the raw readings to reach the hub' });
      rawDrainS = (performance.now() - rawStart) / 1000;
      log(`raw readings forwarded to the hub in ${rawDrainS.toFixed(1)} s (stored only, not applied to any twin)`);
    }

    const bytesPerReading = syncBytes / readings;
    const rawBytesPerReading = rawSingleBytes / readings;
    return {
      assets: o.assets,
      seconds: o.seconds,
      readings,
      interval: o.interval,
      isolation: topo.isolation,
      bytes_per_reading: round2(bytesPerReading),
      raw_bytes_per_reading: round2(rawBytesPerReading),
      raw_batched_bytes_per_reading: round2(telemetry.bytes / readings),
      raw_gzip_bytes_per_reading: round2(rawGzipBytes / readings),
      bytes_ratio: round2(rawBytesPerReading / bytesPerReading),
      bytes_ratio_vs_batched_raw: round2(telemetry.bytes / readings / bytesPerReading),
      bytes_ratio_vs_gzipped_raw: round2(rawGzipBytes / readings / bytesPerReading),
      outbox_messages: syncMessages,
      outbox_deltas: deltaKinds,
      outbox_bytes: syncBytes,
      drain_s: round2(drainS),
      raw_drain_s: rawDrainS === null ? null : round2(rawDrainS),
      central_mismatches: mismatched,
      edge_ingest_s: round2(ingestS),
      targets: { bytes_ratio: TARGETS.bytesRatio, drain_s: TARGETS.drainS },
      met: { bytes_ratio: rawBytesPerReading / bytesPerReading >= TARGETS.bytesRatio && mismatched === 0, drain_s: drainS <= TARGETS.drainS },
      peak_rss_mb: { twin_service: await stopBenchService(twin), asset_platform: await stopBenchService(platform) },
    };
  } finally {
    for (const nc of conns) await nc.close().catch(() => undefined);
    if (twin) await stopBenchService(twin).catch(() => undefined);
    if (platform) await stopBenchService(platform).catch(() => undefined);
    await topo?.stop();
    dir.remove();
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Deltas the twin service wrote, by kind (windowed deltas, or whole-twin snapshots after a start or a gap). */
async function syncDeltaCounts(svc: BenchService): Promise<Record<string, number>> {
  const text = await (await fetch(`${svc.baseUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^millwright_sync_deltas_total\{[^}]*kind="(\w+)"[^}]*\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  const failures = /^millwright_sync_publish_failures_total(?:\{[^}]*\})? (\d+)/m.exec(text);
  out.publish_failures = failures ? Number(failures[1]) : 0;
  for (const m of text.matchAll(/^millwright_sync_events_total\{[^}]*outcome="([\w-]+)"[^}]*\} (\d+)/gm)) out[`events_${m[1]}`] = Number(m[2]);
  return out;
}

async function main(): Promise<void> {
  const parsed = parseSyncBenchArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(SYNC_BENCH_USAGE);
    return;
  }
  const log: Log = (l) => console.log(l);
  const r = await run(parsed, log);
  const path = writeBenchResults('sync', { ...r, machine: machineNote(), at: new Date().toISOString() });
  console.log(`\nsync: ${r.readings} readings buffered during the cut, ${r.interval} windows`);
  console.log(`  bytes per reading upstream: deltas ${r.bytes_per_reading} vs raw ${r.raw_bytes_per_reading} (single) / ${r.raw_batched_bytes_per_reading} (batched): ${r.bytes_ratio}x / ${r.bytes_ratio_vs_batched_raw}x fewer (target >= ${TARGETS.bytesRatio}x)`);
  console.log(`  raw readings gzipped per gateway batch: ${r.raw_gzip_bytes_per_reading} bytes per reading (${r.bytes_ratio_vs_gzipped_raw}x more than the deltas: compaction, not compression, does most of it)`);
  console.log(`  drain after reconnect: ${r.drain_s} s to exact central twins (target <= ${TARGETS.drainS} s)${r.raw_drain_s !== null ? `; raw readings: ${r.raw_drain_s} s just to reach the hub` : ''}`);
  console.log(`  central twins differing from the edge: ${r.central_mismatches}`);
  console.log(`wrote ${path}`);
  // A missed target or an inexact central copy fails the run, as a test would.
  const met = r.met as { bytes_ratio: boolean; drain_s: boolean };
  if (!met.bytes_ratio || !met.drain_s || r.central_mismatches !== 0) {
    console.error('sync: target missed (see above)');
    process.exitCode = 1;
  }
  await sleep(10);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
