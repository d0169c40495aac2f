import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { Subjects, type TwinDeltaV1 } from '@millwright/contracts';
import { applyDelta, type CentralTwinState } from '@millwright/sync-domain';
import { makeTempDir, startHubAndSites, waitFor, type TempDir, type Topology } from '@millwright/testing';
import type { TwinDto } from '@millwright/twin-api';
import { startTwinService, type TwinServiceHandle } from './support/twin-service.process';

const SITES = ['site-a', 'site-b'] as const;
const ASSETS = 20;
const inbox = (site: string) => `SYNC_IN_${site.replace(/-/g, '_')}`;

describe('twin deltas reach the hub exactly once across a cut uplink', () => {
  let topo: Topology;
  let dir: TempDir;
  const twins: Record<string, TwinServiceHandle> = {};
  const conns: NatsConnection[] = [];
  const seqs: Record<string, number> = {};

  beforeAll(async () => {
    topo = await startHubAndSites({ sites: [...SITES], isolation: 'auto' });
    dir = makeTempDir('mw-sync-');
    for (const s of SITES) {
      await waitFor(() => topo.site(s).leafConnected(), { timeoutMs: 15_000, what: `${s} uplink` });
      twins[s] = await startTwinService({ NATS_URL: topo.site(s).url, TWIN_DB_PATH: join(dir.path, `${s}.db`), SQLITE_SYNCHRONOUS: 'normal', SYNC_ENABLED: 'true', SYNC_INTERVAL: '200ms',
        // Small boxes: the streams must fit the site's JetStream storage limit.
        TELEMETRY_STREAM_MAX_BYTES: String(64 * 1024 ** 2), SYNC_STREAM_MAX_BYTES: String(64 * 1024 ** 2), DEAD_LETTER_MAX_BYTES: String(16 * 1024 ** 2), PREDICTIONS_STREAM_MAX_BYTES: String(16 * 1024 ** 2) });
    }
    const hub = await connect({ servers: topo.hub.url });
    conns.push(hub);
    const jsm = await hub.jetstreamManager();
    for (const s of SITES) {
      // No subjects of its own: the hub stream only sources the site's outbox across domains.
      await jsm.streams.add({ name: inbox(s), sources: [{ name: 'SYNC_OUT', external: { api: `$JS.${topo.site(s).domain}.API`, deliver: `deliver.sync.${s}` } }] });
    }
  });
  afterAll(async () => {
    for (const nc of conns) await nc.close().catch(() => undefined);
    for (const t of Object.values(twins)) await t?.stop();
    await topo?.stop();
    dir?.remove();
  });

  async function publishRound(site: string, rounds: number): Promise<void> {
    const nc = await connect({ servers: topo.site(site).url });
    const js = nc.jetstream();
    for (let r = 0; r < rounds; r++) {
      const readings = Array.from({ length: ASSETS }, (_, i) => {
        const key = `${site}/eng-${i}`;
        const seq = (seqs[key] = (seqs[key] ?? 0) + 1);
        return { site, asset: `eng-${i}`, seq, ts: Date.now(), values: { T50: 1400 + i + seq / 10, P30: 550 - seq / 20 } };
      });
      await js.publish(Subjects.readingBatch(site, 'gw'), Buffer.from(JSON.stringify({ site, gateway: 'gw', readings })));
    }
    await nc.close();
  }

  /** The central copy: every message of the site's hub inbox applied in order. */
  async function centralTwins(site: string): Promise<{ twins: Map<string, CentralTwinState>; gaps: number }> {
    const hub = conns[0];
    const jsm = await hub.jetstreamManager();
    const total = (await jsm.streams.info(inbox(site))).state.messages;
    const twinsBy = new Map<string, CentralTwinState>();
    let gaps = 0;
    for (let seq = 1; seq <= total; seq++) {
      const d = (await jsm.streams.getMessage(inbox(site), { seq })).json<TwinDeltaV1>();
      let t = twinsBy.get(d.asset);
      if (!t) twinsBy.set(d.asset, (t = { version: 0, lastSeq: -1, reported: {}, derived: {}, metadata: {} }));
      if (applyDelta(t, d) === 'gap') gaps++;
    }
    return { twins: twinsBy, gaps };
  }

  async function edgeTwins(site: string): Promise<TwinDto[]> {
    return ((await (await fetch(`${twins[site].baseUrl}/api/v1/twins?limit=1000`)).json()) as { items: TwinDto[] }).items;
  }

  /** Call once the site's twins have their final readings; waits for the hub copy, then compares. */
  async function expectCentralEqualsEdge(site: string): Promise<void> {
    const edge = await edgeTwins(site);
    await waitFor(async () => {
      const { twins: central } = await centralTwins(site);
      return edge.every((t) => central.get(t.asset)?.version === t.version);
    }, { timeoutMs: 30_000, what: `${site}'s hub copy to catch up` });
    const { twins: central, gaps } = await centralTwins(site);
    expect(gaps).toBe(0);
    for (const t of edge) {
      const c = central.get(t.asset)!;
      expect({ asset: t.asset, version: c.version, lastSeq: c.lastSeq, T50: c.reported.T50, P30: c.reported.P30 }).toEqual({
        asset: t.asset,
        version: t.version,
        lastSeq: t.lastSeq,
        T50: [t.reported.T50.v, t.reported.T50.ts, t.reported.T50.seq],
        P30: [t.reported.P30.v, t.reported.P30.ts, t.reported.P30.seq],
      });
    }
  }

  it('keeps the hub copy equal to the edge: before, during and after a cut', async () => {
    for (const s of SITES) await publishRound(s, 10);
    for (const s of SITES) await waitFor(async () => (await edgeTwins(s)).length === ASSETS && (await edgeTwins(s)).every((t) => t.lastSeq === 10), { what: `${s} twins` });
    for (const s of SITES) await expectCentralEqualsEdge(s);

    await topo.cut('site-a');
    await publishRound('site-a', 30);
    await publishRound('site-b', 30);
    for (const s of SITES) await waitFor(async () => (await edgeTwins(s)).every((t) => t.lastSeq === 40), { what: `${s} twins during the cut` });
    await expectCentralEqualsEdge('site-b');
    const { twins: stale } = await centralTwins('site-a');
    expect([...stale.values()].every((t) => t.lastSeq === 10)).toBe(true);

    await topo.restore('site-a');
    await waitFor(() => topo.site('site-a').leafConnected(), { timeoutMs: 20_000, what: 'site-a uplink back' });
    await expectCentralEqualsEdge('site-a');
  });
});
