import { makeTempDir, startPostgres, waitFor, type PostgresHandle, type TempDir } from '@millwright/testing';
import type { AppHandle } from './support/built-app.process';
import { CentralSyncFixture, centralTwins, expectCentralEqualsEdge } from './support/central-sync.fixture';

const SITE = 'site-k';
const ASSETS = 20;

/**
 * kill -9 of the asset platform (on PostgreSQL) while it drains a site's backlog after an outage,
 * several times: after each restart it must carry on from its last commit, and the central twins
 * must end up equal to the edge's, nothing lost and nothing applied twice.
 */
describe('asset platform killed during the drain', () => {
  let dir: TempDir;
  let pg: PostgresHandle;
  let f: CentralSyncFixture;
  let platform: AppHandle;

  beforeAll(async () => {
    dir = makeTempDir('mw-central-crash-');
    pg = await startPostgres();
    // Two deltas a message: a backlog of many small messages, so that kills land mid-drain.
    f = await CentralSyncFixture.start([SITE], dir, () => ({ SYNC_MAX_DELTAS_PER_MESSAGE: '2' }));
    platform = await f.startPlatform({ DATABASE_URL: pg.url });
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
    await f?.stop();
    await pg?.stop();
    dir?.remove();
  });

  const appliedSeq = async (): Promise<number> => ((await (await fetch(`${platform.baseUrl}/api/v1/sites/${SITE}`)).json()) as { appliedOutboxSeq: number }).appliedOutboxSeq;

  it('converges to the edge twins after kill -9 during the drain', async () => {
    await f.publishRounds(SITE, ASSETS, 5);
    await waitFor(async () => (await f.edgeTwins(SITE)).filter((t) => t.lastSeq === 5).length === ASSETS, { what: 'edge twins' });
    await expectCentralEqualsEdge(f, platform, SITE);

    await f.topo.cut(SITE);
    for (let r = 0; r < 40; r++) {
      await f.publishRounds(SITE, ASSETS, 1);
      await new Promise((res) => setTimeout(res, 100));
    }
    await waitFor(async () => (await f.edgeTwins(SITE)).filter((t) => t.lastSeq === 45).length === ASSETS, { what: 'edge twins during the cut' });
    const before = await appliedSeq();
    expect((await f.syncStatus(SITE)).outboxSeq - before).toBeGreaterThan(100);

    await f.topo.restore(SITE);
    let midDrainKills = 0;
    let last = before;
    for (let kill = 0; kill < 3; kill++) {
      // Kill as soon as the platform has committed something new.
      await waitFor(async () => (await appliedSeq()) > last, { timeoutMs: 30_000, intervalMs: 5, what: 'the drain to progress' });
      const at = await appliedSeq();
      // Mid-drain: some central twin still lacks readings from the cut (health summaries keep the
      // outbox growing, so its sequence cannot tell).
      const behind = (await centralTwins(platform, SITE)).some((t) => t.lastSeq < 45);
      await platform.kill9();
      if (behind) midDrainKills++;
      last = at;
      await platform.restart();
    }
    expect(midDrainKills).toBeGreaterThan(0);
    await expectCentralEqualsEdge(f, platform, SITE, 60_000);
    await waitFor(async () => (await f.syncStatus(SITE)).backlog.messages === 0, { timeoutMs: 20_000, what: 'the backlog to drain' });
  });

  it('resends what a twin service killed with -9 had not yet sent, with nothing arriving after it', async () => {
    await f.publishRounds(SITE, ASSETS, 5);
    // Killed as soon as the readings are committed: their window has not been flushed yet.
    await waitFor(async () => (await f.edgeTwins(SITE)).filter((t) => t.lastSeq === 50).length === ASSETS, { intervalMs: 5, what: 'edge twins' });
    await f.twins[SITE].kill9();
    await f.twins[SITE].restart();
    // No reading follows, so no later delta can reveal a gap: only the restart's own resend can catch up.
    await expectCentralEqualsEdge(f, platform, SITE, 30_000, { edgeRestarted: true });
  });
});
