import type { CmapssRow } from '@millwright/cmapss';
import type { SimEngine } from './engine.source';
import { fleetTicks, type TickEntry } from './fleet.interleaver';

const engine = (assetId: string, cycles: number): SimEngine => ({
  assetId,
  rows: Array.from({ length: cycles }, (_, i): CmapssRow => ({ unit: 1, cycle: i + 1, settings: [0, 0, 100], sensors: [] })),
});
const flat = (ticks: Iterable<{ engine: SimEngine; seq: number; episode: number }[]>) => [...ticks].map((t) => t.map((e) => `${e.engine.assetId}#${e.seq}`));

describe('fleetTicks', () => {
  it('sends every engine cycle by cycle and drops engines that reached failure', () => {
    expect(flat(fleetTicks([engine('a', 3), engine('b', 1), engine('c', 2)]))).toEqual([
      ['a#1', 'b#1', 'c#1'],
      ['a#2', 'c#2'],
      ['a#3'],
    ]);
  });

  it('with loop, restarts a finished engine as a new episode whose seq keeps growing', () => {
    const ticks = fleetTicks([engine('a', 2), engine('b', 3)], { loop: true });
    const first5 = Array.from({ length: 5 }, (): TickEntry[] => ticks.next().value);
    expect(flat(first5)).toEqual([
      ['a#1', 'b#1'],
      ['a#2', 'b#2'],
      ['a#3', 'b#3'],
      ['a#4', 'b#4'],
      ['a#5', 'b#5'],
    ]);
    expect(first5[2].map((e) => [e.row.cycle, e.episode])).toEqual([
      [1, 1],
      [3, 0],
    ]);
  });

  it('yields nothing for an empty fleet or engines without rows', () => {
    expect([...fleetTicks([])]).toEqual([]);
    expect([...fleetTicks([engine('a', 0)], { loop: true })]).toEqual([]);
  });
});
