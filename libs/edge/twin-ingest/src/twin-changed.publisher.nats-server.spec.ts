import { Subjects, decodeTwinChangeFrame, type TwinChangedV1 } from '@millwright/contracts';
import { natsPerSuite, waitFor } from '@millwright/testing';
import { TwinChangeFeed } from '@millwright/twin-data-access';
import { announceTwinChanges } from './twin-changed.publisher';

const change = (i: number, site = 'plant-1'): TwinChangedV1 => ({
  site,
  asset: `asset-${i}`,
  version: 2,
  fromVersion: 1,
  cause: 'telemetry',
  at: 1_764_000_000_000,
  changes: { readings: [{ seq: 2, ts: 1_764_000_000_000, values: Object.fromEntries(Array.from({ length: 24 }, (_, k) => [`s${k}`, i + k / 10])) }] },
  lastSeq: 2,
});

describe('announceTwinChanges on a real nats-server', () => {
  const nats = natsPerSuite();

  it('sends a large commit as several frames under the size limit, every change once and in order, and feeds them all', async () => {
    const frames: number[] = [];
    const got: TwinChangedV1[] = [];
    const sub = nats.nc.subscribe(Subjects.twinChanges('plant-1'), {
      callback: (_e, m) => {
        frames.push(m.data.length);
        got.push(...decodeTwinChangeFrame(m.data).events);
      },
    });
    await nats.nc.flush();
    const fed: string[] = [];
    const feed = new TwinChangeFeed();
    feed.subscribe((e) => fed.push(e.asset));
    // About 230 bytes a change: 5,000 of them are over a MiB, past NATS's default max_payload.
    const events = Array.from({ length: 5000 }, (_, i) => change(i));
    announceTwinChanges(nats.nc, feed, events);
    await waitFor(() => got.length >= 5000, { what: 'every change' });
    expect(got.map((e) => e.asset)).toEqual(events.map((e) => e.asset));
    expect(got[4321]).toEqual(events[4321]);
    expect(frames.length).toBeGreaterThan(2);
    expect(Math.max(...frames)).toBeLessThanOrEqual(512 * 1024);
    expect(fed).toEqual(events.map((e) => e.asset));
    sub.unsubscribe();
  });

  it('sends one frame per site when a store serves several', async () => {
    const sites: string[] = [];
    const sub = nats.nc.subscribe('twin.v1.changed.*', { callback: (_e, m) => sites.push(`${m.subject}:${decodeTwinChangeFrame(m.data).events.length}`) });
    await nats.nc.flush();
    announceTwinChanges(nats.nc, new TwinChangeFeed(), [change(1, 'a'), change(2, 'b'), change(3, 'a')]);
    await waitFor(() => sites.length === 2, { what: 'two frames' });
    expect(sites.sort()).toEqual(['twin.v1.changed.a:2', 'twin.v1.changed.b:1']);
    sub.unsubscribe();
  });
});
