import type { CmapssRow } from '@millwright/cmapss';
import type { SimEngine } from './engine.source';

/** One engine's row due in a tick, with the sequence number it is sent under. */
export interface TickEntry {
  engine: SimEngine;
  row: CmapssRow;
  seq: number;
  /** 0 for the first run through the engine's rows, 1 after the first restart, ... */
  episode: number;
}

export interface InterleaveOptions {
  /**
   * Restart an engine that reached its failure cycle as a new episode (a replaced engine on the same
   * asset). Its seq keeps growing, so the twin service sees newer readings rather than duplicates.
   */
  loop?: boolean;
}

/**
 * Yields the fleet as a real one reports: every engine's first cycle, then every engine's second,
 * and so on; an engine whose rows are used up leaves the fleet (unless `loop`).
 */
export function* fleetTicks(engines: readonly SimEngine[], opts: InterleaveOptions = {}): Generator<TickEntry[]> {
  const state = engines.filter((e) => e.rows.length > 0).map((engine) => ({ engine, index: 0, seqBase: 0, episode: 0 }));
  let active = state;
  while (active.length > 0) {
    const tick: TickEntry[] = [];
    for (const s of active) {
      const row = s.engine.rows[s.index];
      tick.push({ engine: s.engine, row, seq: s.seqBase + row.cycle, episode: s.episode });
      s.index++;
      if (s.index === s.engine.rows.length && opts.loop) {
        s.seqBase += s.engine.rows[s.engine.rows.length - 1].cycle;
        s.index = 0;
        s.episode++;
      }
    }
    yield tick;
    active = active.filter((s) => s.index < s.engine.rows.length);
  }
}
