import { join } from 'node:path';
import { connect } from 'nats';
import { Subjects } from '@millwright/contracts';
import { startHubAndSites, waitFor, type TempDir, type Topology } from '@millwright/testing';
import { startBuiltApp, type AppHandle } from './built-app.process';

export interface EdgeTwinJson {
  asset: string;
  version: number;
  lastSeq: number;
  reported: Record<string, { v: number; ts: number; seq: number }>;
  desired: Record<string, unknown>;
}
export type CentralTwinJson = EdgeTwinJson & { desiredVersion: number; desiredPending: boolean };

export interface SyncStatusJson {
  link: 'up' | 'down';
  outboxSeq: number;
  appliedSeq: number | null;
  backlog: { messages: number | null; oldestAgeMs: number | null };
}

/** A hub and edge sites on real nats-servers, a twin service per site with the uplink sync on, and the gateway side. */
export class CentralSyncFixture {
  readonly twins: Record<string, AppHandle> = {};
  private readonly seqs: Record<string, number> = {};

  private constructor(
    readonly topo: Topology,
    private readonly dir: TempDir,
  ) {}

  static async start(sites: string[], dir: TempDir, edgeEnv: (site: string) => Record<string, string> = () => ({})): Promise<CentralSyncFixture> {
    const topo = await startHubAndSites({ sites, isolation: 'auto' });
    // The must-show cuts a real link: as root that means network namespaces, never the TCP relay.
    if (process.getuid?.() === 0 && topo.isolation !== 'netns') {
      await topo.stop();
      throw new Error(`running as root but the sites are not in network namespaces: ${topo.fallbackReason}`);
    }
    const f = new CentralSyncFixture(topo, dir);
    for (const s of sites) {
      await waitFor(() => topo.site(s).leafConnected(), { timeoutMs: 15_000, what: `${s} uplink` });
      f.twins[s] = await startBuiltApp('twin-service', {
        NATS_URL: topo.site(s).url,
        TWIN_DB_PATH: join(dir.path, `${s}.db`),
        SQLITE_SYNCHRONOUS: 'normal',
        SYNC_ENABLED: 'true',
        SITE_ID: s,
        SYNC_HUB_DOMAIN: topo.hub.domain,
        SYNC_INTERVAL: '300ms',
        SYNC_HEALTH_INTERVAL: '1s',
        // Small boxes: the streams must fit the site's JetStream storage limit.
        TELEMETRY_STREAM_MAX_BYTES: String(64 * 1024 ** 2),
        SYNC_STREAM_MAX_BYTES: String(64 * 1024 ** 2),
        DEAD_LETTER_MAX_BYTES: String(16 * 1024 ** 2),
        PREDICTIONS_STREAM_MAX_BYTES: String(16 * 1024 ** 2),
        ...edgeEnv(s),
      });
    }
    return f;
  }

  startPlatform(env: Record<string, string> = {}): Promise<AppHandle> {
    return startBuiltApp('asset-platform', {
      NATS_URL: this.topo.hub.url,
      PLATFORM_DB_PATH: join(this.dir.path, 'platform.db'),
      SITES: Object.entries(this.topo.sites).map(([name, s]) => `${name}=${s.domain}`).join(','),
      SYNC_ACK_WAIT: '3s',
      SYNC_ANNOUNCE_INTERVAL: '500ms',
      SYNC_INBOX_MAX_BYTES: String(256 * 1024 ** 2),
      DEAD_LETTER_MAX_BYTES: String(16 * 1024 ** 2),
      ...env,
    });
  }

  /** `rounds` batches of one reading per asset; every asset's gateway sequence grows by one a round. */
  async publishRounds(site: string, assets: number, rounds: number): Promise<void> {
    const nc = await connect({ servers: this.topo.site(site).url });
    const js = nc.jetstream();
    for (let r = 0; r < rounds; r++) {
      const readings = Array.from({ length: assets }, (_, i) => {
        const key = `${site}/eng-${i}`;
        const seq = (this.seqs[key] = (this.seqs[key] ?? 0) + 1);
        return { site, asset: `eng-${i}`, seq, ts: Date.now(), values: { T50: 1400 + i + seq / 10, P30: 550 - seq / 20, Nc: 9000 + seq * 0.37 } };
      });
      await js.publish(Subjects.readingBatch(site, 'gw'), Buffer.from(JSON.stringify({ site, gateway: 'gw', readings })));
    }
    await nc.close();
  }

  async edgeTwins(site: string): Promise<EdgeTwinJson[]> {
    return ((await (await fetch(`${this.twins[site].baseUrl}/api/v1/twins?limit=1000`)).json()) as { items: EdgeTwinJson[] }).items;
  }

  async syncStatus(site: string): Promise<SyncStatusJson> {
    return (await (await fetch(`${this.twins[site].baseUrl}/api/v1/sync/status`)).json()) as SyncStatusJson;
  }

  async stop(): Promise<void> {
    for (const t of Object.values(this.twins)) await t.stop();
    await this.topo.stop();
  }
}

export async function centralTwins(platform: AppHandle, site: string): Promise<CentralTwinJson[]> {
  const res = await fetch(`${platform.baseUrl}/api/v1/assets?site=${site}&limit=1000&sort=asset`);
  if (!res.ok) throw new Error(`fleet query: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { items: CentralTwinJson[] }).items;
}

/**
 * Waits until the central copy of every twin of `site` has the edge's version, then compares them
 * field by field. Both sides are read again on every try: the edge may still move meanwhile (desired
 * changes coming down after a cut), and a snapshot of it taken once would never be matched.
 */
export async function expectCentralEqualsEdge(f: CentralSyncFixture, platform: AppHandle, site: string, timeoutMs = 30_000, o: { edgeRestarted?: boolean } = {}): Promise<void> {
  const view = (t: EdgeTwinJson) => ({ asset: t.asset, version: t.version, lastSeq: t.lastSeq, reported: t.reported });
  let edge: EdgeTwinJson[] = [];
  let central = new Map<string, CentralTwinJson>();
  await waitFor(
    async () => {
      edge = await f.edgeTwins(site);
      central = new Map((await centralTwins(platform, site)).map((t) => [t.asset, t]));
      return edge.every((t) => central.get(t.asset)?.version === t.version);
    },
    { timeoutMs, what: `${site}'s central copy to catch up` },
  );
  expect(edge.length).toBeGreaterThan(0);
  expect([...central.keys()].sort()).toEqual(edge.map((t) => t.asset).sort());
  for (const t of edge) expect(view(central.get(t.asset)!)).toEqual(view(t));
  // Equal by exact delivery, not by repair: a lost, reordered or doubled message would have shown as
  // a gap, and every gap makes the site send snapshots (asked for, or on its own). None were needed.
  // (A restarted edge resends recently changed twins whole, on purpose.)
  if (!o.edgeRestarted) expect(await metricSum(f.twins[site].baseUrl, 'millwright_sync_deltas_total', 'kind="snapshot"')).toBe(0);
  expect(await metricSum(platform.baseUrl, 'millwright_platform_deltas_total', `site="${site}",outcome="gap"`)).toBe(0);
}

/** Sum of a Prometheus series at `/metrics` whose labels contain `labels`. */
export async function metricSum(baseUrl: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
