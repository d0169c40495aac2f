import { decodeTwinChangeFrame } from '@millwright/contracts';
import { TwinChangeFramer } from './twin-change.framer';

const NAMES = ['T50', 'P30'];
const values = (a: number, b: number) => new Uint8Array(new Float64Array([a, b]).buffer);

describe('TwinChangeFramer', () => {
  it('frames each site on its own and keeps the order of events within a site', () => {
    const framer = new TwinChangeFramer();
    framer.writerFor('s1').event('a', 'telemetry', 1, 0, 1, 10, undefined, 0);
    framer.writerFor('s2').event('b', 'telemetry', 1, 0, 1, 10, undefined, 0);
    framer.writerFor('s1').event('c', 'telemetry', 1, 0, 1, 10, undefined, 0);
    const frames = framer.take();
    expect(frames.map((f) => [f.site, f.events, decodeTwinChangeFrame(f.frame).events.map((e) => e.asset)])).toEqual([
      ['s1', 2, ['a', 'c']],
      ['s2', 1, ['b']],
    ]);
    expect(framer.take()).toEqual([]);
  });

  it('starts clean after a commit whose framing failed part-way through an event', () => {
    const framer = new TwinChangeFramer();
    const w = framer.writerFor('s1');
    w.event('a', 'telemetry', 2, 0, 2, 10, undefined, 2);
    w.reading(1, 1, NAMES, values(1, 2));
    // The second reading never comes: framing the commit failed here.
    framer.discard();

    const next = framer.writerFor('s1');
    next.event('b', 'telemetry', 1, 0, 7, 20, undefined, 1);
    next.reading(7, 7, NAMES, values(70, 71));
    const frames = framer.take();
    expect(frames).toHaveLength(1);
    const events = decodeTwinChangeFrame(frames[0].frame).events;
    expect(events.map((e) => [e.asset, e.changes.readings])).toEqual([['b', [{ seq: 7, ts: 7, values: { T50: 70, P30: 71 } }]]]);
  });
});
