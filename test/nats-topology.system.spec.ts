import { connect, nanos, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { startHubAndSites, waitFor, type Topology } from '@millwright/testing';

// The transport that issue 5's sync builds on: each site keeps an outbox stream in its own JetStream
// domain, the hub sources it across the leaf link (uplink), and each site sources its share of a hub
// stream (downlink). These are the properties the sync relies on when a link is cut and restored.
const SITES = ['site-a', 'site-b'] as const;
const CUT_SITE = 'site-a';
const OTHER_SITE = 'site-b';
const BEFORE_CUT = 200;
const DURING_CUT = 150;
const OTHER_DURING_CUT = 50;

const enc = (x: unknown) => Buffer.from(JSON.stringify(x));
const dec = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString()) as { site: string; n: number };
const outboxSubject = (site: string, n: number) => `sync.v1.${site}.twin.asset-${n % 10}`;
const msgId = (site: string, n: number) => `${site}:${n}`;
const hubInbox = (site: string) => `SYNC_IN_${site}`;
// `auto` picks namespaces when it can; this forces either, so the fallback can be run on purpose.
const isolation = ((): 'netns' | 'process' | 'auto' => {
  const v = process.env.MW_TOPOLOGY_ISOLATION ?? 'auto';
  if (v === 'netns' || v === 'process' || v === 'auto') return v;
  throw new Error(`MW_TOPOLOGY_ISOLATION must be netns, process or auto, not ${v}`);
})();

async function count(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.messages;
}

describe('NATS topology: a hub and two leaf-node edge sites', () => {
  let topo: Topology;
  const conns: NatsConnection[] = [];
  const open = async (url: string) => {
    const nc = await connect({ servers: url, maxReconnectAttempts: -1 });
    conns.push(nc);
    return nc;
  };

  beforeAll(async () => {
    topo = await startHubAndSites({ sites: [...SITES], isolation });
    console.log(`nats topology isolation: ${topo.isolation}${topo.fallbackReason ? ` (fallback: ${topo.fallbackReason})` : ''}`);
  });
  afterAll(async () => {
    for (const nc of conns) await nc.close().catch(() => undefined);
    await topo?.stop();
  });

  it('keeps both directions whole across a cut uplink: edge stores, hub catches up exactly once, other site unaffected', async () => {
    const hub = await open(topo.hub.url);
    const hubJsm = await hub.jetstreamManager();
    const site = Object.fromEntries(await Promise.all(SITES.map(async (s) => [s, await open(topo.site(s).url)] as const)));
    const siteJsm = Object.fromEntries(await Promise.all(SITES.map(async (s) => [s, await site[s].jetstreamManager()] as const)));
    for (const s of SITES) await waitFor(() => topo.site(s).leafConnected(), { timeoutMs: 15_000, what: `${s} leaf connected` });

    await hubJsm.streams.add({ name: 'DESIRED', subjects: ['desired.v1.>'], storage: StorageType.File });
    for (const s of SITES) {
      // The outbox dedupes on Nats-Msg-Id, so a service that republishes after a crash stores nothing twice.
      await siteJsm[s].streams.add({ name: 'SYNC_OUT', subjects: [`sync.v1.${s}.>`], storage: StorageType.File, duplicate_window: nanos(120_000) });
      await siteJsm[s].streams.add({
        name: 'DESIRED_IN',
        storage: StorageType.File,
        sources: [{ name: 'DESIRED', filter_subject: `desired.v1.${s}.>`, external: { api: `$JS.${topo.hub.domain}.API`, deliver: `deliver.down.${s}` } }],
      });
      // No subjects of its own: the hub must not capture the site's publishes directly over the leaf
      // link as well, or every message would arrive twice (once live, once sourced).
      await hubJsm.streams.add({
        name: hubInbox(s),
        storage: StorageType.File,
        sources: [{ name: 'SYNC_OUT', external: { api: `$JS.${topo.site(s).domain}.API`, deliver: `deliver.up.${s}` } }],
      });
    }

    const publish = async (s: string, from: number, to: number) => {
      const js = site[s].jetstream();
      const acks = [];
      for (let n = from; n <= to; n++) acks.push(js.publish(outboxSubject(s, n), enc({ site: s, n }), { msgID: msgId(s, n) }));
      return Promise.all(acks);
    };
    await Promise.all(SITES.map((s) => publish(s, 1, BEFORE_CUT)));
    for (const s of SITES) await waitFor(async () => (await count(hubJsm, hubInbox(s))) === BEFORE_CUT, { timeoutMs: 15_000, what: `hub has ${s}'s first ${BEFORE_CUT}` });

    const cutAt = Date.now();
    await topo.cut(CUT_SITE);
    const duringCut = await publish(CUT_SITE, BEFORE_CUT + 1, BEFORE_CUT + DURING_CUT);
    expect(duringCut.every((a) => a.stream === 'SYNC_OUT' && !a.duplicate)).toBe(true);
    const dupes = await publish(CUT_SITE, BEFORE_CUT - 4, BEFORE_CUT + 5);
    expect(dupes.every((a) => a.duplicate)).toBe(true);
    expect(await count(siteJsm[CUT_SITE], 'SYNC_OUT')).toBe(BEFORE_CUT + DURING_CUT);
    const hubJs = hub.jetstream();
    for (const s of SITES) await hubJs.publish(`desired.v1.${s}.twin.asset-1`, enc({ site: s, n: 1 }), { msgID: `desired:${s}:1` });

    // The other site keeps flowing both ways while this one is cut off.
    await publish(OTHER_SITE, BEFORE_CUT + 1, BEFORE_CUT + OTHER_DURING_CUT);
    await waitFor(async () => (await count(hubJsm, hubInbox(OTHER_SITE))) === BEFORE_CUT + OTHER_DURING_CUT, { timeoutMs: 15_000, what: `${OTHER_SITE} flowing during the cut` });
    await waitFor(async () => (await count(siteJsm[OTHER_SITE], 'DESIRED_IN')) === 1, { timeoutMs: 15_000, what: `${OTHER_SITE} downlink during the cut` });
    // Both ends must have given up on the link, so the restore below is a real reconnect.
    await waitFor(async () => !(await topo.site(CUT_SITE).leafConnected()), { timeoutMs: 20_000, what: `${CUT_SITE} leaf seen down` });
    const detectedMs = Date.now() - cutAt;
    expect(await count(hubJsm, hubInbox(CUT_SITE))).toBe(BEFORE_CUT);
    expect(await count(siteJsm[CUT_SITE], 'DESIRED_IN')).toBe(0);

    const restoredAt = Date.now();
    await topo.restore(CUT_SITE);
    await waitFor(() => topo.site(CUT_SITE).leafConnected(), { timeoutMs: 20_000, what: `${CUT_SITE} leaf reconnected` });
    const reconnectMs = Date.now() - restoredAt;
    await waitFor(async () => (await count(hubJsm, hubInbox(CUT_SITE))) >= BEFORE_CUT + DURING_CUT, { timeoutMs: 30_000, intervalMs: 100, what: `hub catching up with ${CUT_SITE}` });
    const catchUpMs = Date.now() - restoredAt;
    await waitFor(async () => (await count(siteJsm[CUT_SITE], 'DESIRED_IN')) === 1, { timeoutMs: 30_000, intervalMs: 100, what: `${CUT_SITE} downlink after restore` });
    const downlinkMs = Date.now() - restoredAt;
    console.log(
      `nats topology (${topo.isolation}): cut seen by both ends after ${detectedMs} ms; after restore the leaf reconnected in ${reconnectMs} ms, ` +
        `the hub held all ${BEFORE_CUT + DURING_CUT} of ${CUT_SITE}'s messages after ${catchUpMs} ms, the downlink message arrived after ${downlinkMs} ms`,
    );

    // Republishing after the restore is deduped at the edge, so nothing new travels.
    expect((await publish(CUT_SITE, BEFORE_CUT + DURING_CUT - 4, BEFORE_CUT + DURING_CUT)).every((a) => a.duplicate)).toBe(true);
    // Give a late duplicate from a re-created source consumer time to show up before comparing.
    await new Promise((r) => setTimeout(r, 1_000));
    for (const s of SITES) {
      const edge = await siteJsm[s].streams.info('SYNC_OUT');
      const central = await hubJsm.streams.info(hubInbox(s));
      expect(central.state.messages).toBe(edge.state.messages);
      for (let seq = 1; seq <= edge.state.last_seq; seq++) {
        const [e, c] = await Promise.all([siteJsm[s].streams.getMessage('SYNC_OUT', { seq }), hubJsm.streams.getMessage(hubInbox(s), { seq })]);
        expect({ subject: c.subject, body: dec(c.data) }).toEqual({ subject: e.subject, body: dec(e.data) });
        expect(dec(c.data).n).toBe(seq);
      }
    }
    const down = await siteJsm[CUT_SITE].streams.getMessage('DESIRED_IN', { seq: 1 });
    expect({ subject: down.subject, body: dec(down.data) }).toEqual({ subject: `desired.v1.${CUT_SITE}.twin.asset-1`, body: { site: CUT_SITE, n: 1 } });
  });
});
