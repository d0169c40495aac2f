import { join } from 'node:path';
import { makeTempDir, waitFor, type TempDir } from '@millwright/testing';
import { startBuiltApp, type AppHandle } from './support/built-app.process';
import { CentralSyncFixture, centralTwins, expectCentralEqualsEdge, type EdgeTwinJson } from './support/central-sync.fixture';
import { TURBOFAN_POLICY } from './support/orders.fixture';

const SITES = ['site-a', 'site-b'];
const ASSETS = 20;

/**
 * Issue 5's must-show: one hub and two edge sites as separate nats-servers (each site in its own
 * network namespace when the test runs as root), the asset platform at the hub. One site's uplink is
 * cut for a while and restored; central twins must then equal edge twins exactly, and desired state
 * changed on both sides during the cut must end up merged by the documented rule.
 */
describe('central sync across a cut uplink', () => {
  let dir: TempDir;
  let f: CentralSyncFixture;
  let platform: AppHandle;
  let maintenance: AppHandle;

  beforeAll(async () => {
    dir = makeTempDir('mw-central-');
    f = await CentralSyncFixture.start(SITES, dir);
    platform = await f.startPlatform();
    // Site A's maintenance service follows the policies set centrally (no orders are placed here).
    maintenance = await startBuiltApp('maintenance', { NATS_URL: f.topo.site('site-a').url, SITE_ID: 'site-a', MAINTENANCE_DB_PATH: join(dir.path, 'maint-a.db'), POLICIES_FILE: '', TWIN_SERVICE_URL: f.twins['site-a'].baseUrl, SUPPLIER_URL: 'http://127.0.0.1:9' });
  }, 120_000);
  afterAll(async () => {
    await maintenance?.stop();
    await platform?.stop();
    await f?.stop();
    dir?.remove();
  });

  const edgeTwin = async (site: string, asset: string): Promise<EdgeTwinJson> => (await (await fetch(`${f.twins[site].baseUrl}/api/v1/twins/${site}/${asset}`)).json()) as EdgeTwinJson;
  const patch = (url: string, body: unknown) => fetch(url, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
  const centralPatch = (site: string, asset: string, body: unknown) => patch(`${platform.baseUrl}/api/v1/sites/${site}/assets/${asset}/desired`, body);
  const edgePatch = (site: string, asset: string, body: unknown) => patch(`${f.twins[site].baseUrl}/api/v1/twins/${site}/${asset}/desired`, body);

  it('keeps central twins equal to the edge before, during and after a cut, and merges desired state', async () => {
    for (const s of SITES) await f.publishRounds(s, ASSETS, 10);
    for (const s of SITES) await waitFor(async () => (await f.edgeTwins(s)).filter((t) => t.lastSeq === 10).length === ASSETS, { what: `${s} twins` });
    for (const s of SITES) await expectCentralEqualsEdge(f, platform, s);

    // A central change with the link up reaches the edge.
    expect((await centralPatch('site-a', 'eng-0', { mode: 'eco' })).status).toBe(200);
    await waitFor(async () => (await edgeTwin('site-a', 'eng-0')).desired.mode === 'eco', { what: 'desired state at the edge' });
    // Agreed base for the conflict below.
    expect((await centralPatch('site-a', 'eng-3', { mode: 'eco' })).status).toBe(200);
    await waitFor(async () => (await edgeTwin('site-a', 'eng-3')).desired.mode === 'eco', { what: 'desired base at the edge' });

    await f.topo.cut('site-a');
    await waitFor(async () => (await f.syncStatus('site-a')).link === 'down', { timeoutMs: 15_000, what: 'site-a to see its link down' });
    // During the cut: readings at both sites, desired changes on both sides of the cut link.
    expect((await centralPatch('site-a', 'eng-1', { targetRpm: 2400 })).status).toBe(200);
    expect((await centralPatch('site-a', 'eng-3', { mode: 'boost' })).status).toBe(200);
    expect((await edgePatch('site-a', 'eng-2', { limit: 7 })).status).toBe(200);
    expect((await edgePatch('site-a', 'eng-3', { mode: 'off', note: 'shift B' })).status).toBe(200);
    const policy = await fetch(`${platform.baseUrl}/api/v1/sites/site-a/policies/turbofan`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...TURBOFAN_POLICY, leadTimeCycles: 33, by: 'planner-1' }) });
    expect(policy.status).toBe(200);
    await f.publishRounds('site-a', ASSETS, 30);
    await f.publishRounds('site-b', ASSETS, 30);
    for (const s of SITES) await waitFor(async () => (await f.edgeTwins(s)).filter((t) => t.lastSeq === 40).length === ASSETS, { what: `${s} twins during the cut` });
    await expectCentralEqualsEdge(f, platform, 'site-b');
    // The cut site keeps working and knows what it owes.
    expect((await centralTwins(platform, 'site-a')).every((t) => t.lastSeq === 10)).toBe(true);
    // Its age too: a backlog seen in the millisecond its first message was written is 0 ms old.
    await waitFor(
      async () => {
        const { backlog } = await f.syncStatus('site-a');
        return (backlog.messages ?? 0) > 0 && (backlog.oldestAgeMs ?? 0) > 0;
      },
      { timeoutMs: 10_000, what: 'a backlog at site-a, with its age' },
    );
    expect((await edgeTwin('site-a', 'eng-1')).desired).toEqual({});

    await f.topo.restore('site-a');
    await waitFor(() => f.topo.site('site-a').leafConnected(), { timeoutMs: 20_000, what: 'site-a uplink back' });
    await expectCentralEqualsEdge(f, platform, 'site-a');

    // Desired: central's change arrived after the cut; the edge's change was accepted centrally; on the
    // field both changed the central value won and the conflict is on record.
    await waitFor(async () => (await edgeTwin('site-a', 'eng-1')).desired.targetRpm === 2400, { what: 'central desired change at the edge after the cut' });
    await waitFor(async () => {
      const local = (await (await fetch(`${maintenance.baseUrl}/api/v1/policies`)).json()) as { items: Array<{ assetClass: string; leadTimeCycles: number }> };
      return local.items.find((p) => p.assetClass === 'turbofan')?.leadTimeCycles === 33;
    }, { what: 'the central policy at the site after the cut' });
    await waitFor(async () => (await centralTwins(platform, 'site-a')).find((t) => t.asset === 'eng-2')?.desired.limit === 7, { what: 'edge desired change accepted centrally' });
    await waitFor(async () => {
      const c = (await centralTwins(platform, 'site-a')).find((t) => t.asset === 'eng-3')!;
      const e = await edgeTwin('site-a', 'eng-3');
      return JSON.stringify(c.desired) === JSON.stringify(e.desired) && !c.desiredPending;
    }, { what: 'eng-3 desired state to agree on both sides' });
    expect((await edgeTwin('site-a', 'eng-3')).desired).toEqual({ mode: 'boost', note: 'shift B' });
    const conflicts = (await (await fetch(`${platform.baseUrl}/api/v1/conflicts?site=site-a`)).json()) as { items: Array<Record<string, unknown>> };
    expect(conflicts.items).toEqual([expect.objectContaining({ site: 'site-a', asset: 'eng-3', field: 'mode', base: 'eco', edge: 'off', central: 'boost', kept: 'central' })]);
    await expectCentralEqualsEdge(f, platform, 'site-a');

    // The backlog drains to nothing and the site's health summary says so centrally.
    await waitFor(async () => (await f.syncStatus('site-a')).backlog.messages === 0, { timeoutMs: 15_000, what: 'site-a backlog to drain' });
    await waitFor(async () => {
      const site = (await (await fetch(`${platform.baseUrl}/api/v1/sites/site-a`)).json()) as { health: { link: string; twins: number } | null };
      return site.health?.link === 'up' && site.health.twins === ASSETS;
    }, { timeoutMs: 15_000, what: "site-a's health summary at the centre" });
  });

  it('refuses bad fleet queries and desired patches with codes', async () => {
    const bad = await fetch(`${platform.baseUrl}/api/v1/assets?sort=color`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('validation_failed');
    expect((await fetch(`${platform.baseUrl}/api/v1/sites/nowhere`)).status).toBe(404);
    const stale = await fetch(`${platform.baseUrl}/api/v1/sites/site-b/assets/eng-1/desired`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"99"' }, body: '{"a":1}' });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as { code: string }).code).toBe('version_mismatch');
    expect((await centralPatch('site-b', 'eng-1', [1, 2])).status).toBe(400);
  });
});
