import { Subjects } from '@millwright/contracts';
import { waitFor } from '@millwright/testing';
import type { TwinDto } from '@millwright/twin-api';
import { twinStackPerSuite } from './support/twin-service.process';

describe('twin service writes the twins its rows lag behind when it stops', () => {
  // Rows would lag for an hour: only the shutdown writes them.
  const stack = twinStackPerSuite('mw-flush-', { TWIN_FLUSH_DELAY: '1h' });

  it('leaves nothing to replay after a graceful stop', async () => {
    const { nc, svc } = stack;
    const js = nc.jetstream();
    const publish = (seq: number) =>
      Promise.all(Array.from({ length: 20 }, (_, i) => js.publish(Subjects.reading('plant1', `a${i}`), Buffer.from(JSON.stringify({ site: 'plant1', asset: `a${i}`, seq, ts: Date.now(), values: { T50: seq } })))));
    const metric = async (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(await (await fetch(`${svc.baseUrl}/metrics`)).text())?.[1]);
    const dirty = () => metric('millwright_twins_dirty');
    // New twins are written at once; their next readings leave the rows behind.
    await publish(1);
    await waitFor(async () => (await metric('millwright_twins')) === 20, { what: 'twenty twins' });
    for (let seq = 2; seq <= 5; seq++) await publish(seq);
    await waitFor(async () => (await dirty()) === 20, { what: 'twenty dirty twins' });
    await svc.stop();
    const out = svc.process.output();
    expect(out).toMatch(/wrote 20 dirty twins/);

    await svc.restart();
    const twin = (await (await fetch(`${svc.baseUrl}/api/v1/twins/plant1/a7`)).json()) as TwinDto;
    expect([twin.version, twin.lastSeq]).toEqual([5, 5]);
    expect(svc.process.output()).not.toMatch(/replayed/);
  });
});
