import type { CmapssRow } from '@millwright/cmapss';
import type { ReadingBatchV1, ReadingV1 } from '@millwright/contracts';
import type { SimEngine } from './engine.source';
import type { PacerClock } from './rate.pacer';
import { runSimulation, type SimulationOptions } from './replay.runner';
import type { TelemetryPublisher } from './telemetry.publisher';

const engine = (assetId: string, cycles: number): SimEngine => ({
  assetId,
  rows: Array.from({ length: cycles }, (_, i): CmapssRow => ({ unit: 1, cycle: i + 1, settings: [0, 0, 100], sensors: Array.from({ length: 21 }, () => 1) })),
});
const fleet = () => [engine('engine-001', 5), engine('engine-002', 3), engine('engine-003', 4)];

/** Records what was published; a clock, when given, advances 1 ms per publish like a real send. */
class MemoryPublisher implements TelemetryPublisher {
  readonly describe = 'memory';
  messages: { subject: string; body: unknown; at: number }[] = [];
  flushes = 0;
  constructor(
    private readonly clock?: { t: number },
    private readonly failAt?: number,
  ) {}
  async publish(subject: string, data: Uint8Array): Promise<void> {
    if (this.messages.length === this.failAt) throw new Error('broker gone');
    if (this.clock) this.clock.t += 1;
    this.messages.push({ subject, body: JSON.parse(Buffer.from(data).toString()), at: this.clock?.t ?? 0 });
  }
  async flush(): Promise<void> {
    this.flushes++;
  }
  async close(): Promise<void> {}
  readings(): ReadingV1[] {
    return this.messages.flatMap((m) => ('readings' in (m.body as object) ? (m.body as ReadingBatchV1).readings : [m.body as ReadingV1]));
  }
}

function fakeClock(): PacerClock & { t: number } {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
  return c;
}

const base = (over: Partial<SimulationOptions> = {}): SimulationOptions => ({ site: 'plant-1', gateway: 'gw-1', engines: fleet(), clock: { startMs: Date.UTC(2026, 0, 1), cycleMs: 1000 }, ...over });

describe('runSimulation', () => {
  it('replays the fleet cycle by cycle on per-asset subjects and reports the last seq of each asset', async () => {
    const pub = new MemoryPublisher();
    const s = await runSimulation(base(), pub);
    expect(pub.readings().map((r) => `${r.asset.slice(-1)}#${r.seq}`)).toEqual(['1#1', '2#1', '3#1', '1#2', '2#2', '3#2', '1#3', '2#3', '3#3', '1#4', '3#4', '1#5']);
    expect(pub.messages[0].subject).toBe('telemetry.v1.plant-1.engine-001');
    expect(s).toEqual(expect.objectContaining({ stoppedBy: 'completed', readingsSent: 12, messagesSent: 12, ticks: 5, enginesFinished: 3, enginesActive: 0, transport: 'memory' }));
    expect(s.lastSeqByAsset).toEqual({ 'engine-001': 5, 'engine-002': 3, 'engine-003': 4 });
    expect(pub.flushes).toBeGreaterThanOrEqual(1);
  });

  it('batches readings of several assets per message, the last batch partial', async () => {
    const pub = new MemoryPublisher();
    const s = await runSimulation(base({ batchSize: 5 }), pub);
    expect(pub.messages.map((m) => [m.subject, (m.body as ReadingBatchV1).readings.length])).toEqual([
      ['telemetry.v1.plant-1.gw-1.batch', 5],
      ['telemetry.v1.plant-1.gw-1.batch', 5],
      ['telemetry.v1.plant-1.gw-1.batch', 2],
    ]);
    expect(s).toEqual(expect.objectContaining({ readingsSent: 12, messagesSent: 3 }));
  });

  it('stops at maxReadings exactly, and at maxCycles after whole ticks', async () => {
    const a = new MemoryPublisher();
    expect(await runSimulation(base({ maxReadings: 7, batchSize: 3 }), a)).toEqual(expect.objectContaining({ stoppedBy: 'max-readings', readingsSent: 7 }));
    expect(a.readings()).toHaveLength(7);
    const b = new MemoryPublisher();
    const s = await runSimulation(base({ maxCycles: 2 }), b);
    expect(s).toEqual(expect.objectContaining({ stoppedBy: 'max-cycles', readingsSent: 6, ticks: 2 }));
    expect(s.lastSeqByAsset).toEqual({ 'engine-001': 2, 'engine-002': 2, 'engine-003': 2 });
  });

  it('stops after the message in hand when aborted and still flushes what it sent', async () => {
    const ctl = new AbortController();
    const pub = new MemoryPublisher();
    const s = await runSimulation(base({ loop: true, signal: ctl.signal, progressIntervalMs: 1 }), pub, (p) => {
      if (p.readingsSent >= 100) ctl.abort();
    });
    expect(s.stoppedBy).toBe('aborted');
    expect(s.readingsSent).toBe(pub.readings().length);
    expect(s.readingsSent).toBeGreaterThanOrEqual(100);
    expect(pub.flushes).toBeGreaterThanOrEqual(1);
    // Looping kept seq growing past each engine's failure cycle.
    expect(s.lastSeqByAsset['engine-002']).toBeGreaterThan(3);
  });

  it('paces readings per second against the clock', async () => {
    const clock = fakeClock();
    const pub = new MemoryPublisher(clock);
    await runSimulation(base({ rate: { readingsPerSec: 4 }, pacerClock: clock }), pub);
    // 12 readings at 4/s: the 12th is due 11 x 250 ms after the first.
    expect(pub.messages[11].at - pub.messages[0].at).toBeGreaterThanOrEqual(2750);
    expect(pub.messages[11].at - pub.messages[0].at).toBeLessThan(2800);
  });

  it('paces whole ticks with cyclesPerSec and never lets a batch span two ticks', async () => {
    const clock = fakeClock();
    const pub = new MemoryPublisher(clock);
    await runSimulation(base({ rate: { cyclesPerSec: 2 }, batchSize: 100, pacerClock: clock }), pub);
    expect(pub.messages.map((m) => (m.body as ReadingBatchV1).readings.length)).toEqual([3, 3, 3, 2, 1]);
    expect(pub.messages[4].at - pub.messages[0].at).toBeGreaterThanOrEqual(2000);
    expect(pub.messages[4].at - pub.messages[0].at).toBeLessThan(2050);
  });

  it('reports progress on the interval with the engines still running', async () => {
    const clock = fakeClock();
    const reports: { readingsSent: number; enginesActive: number; ratePerSec: number }[] = [];
    await runSimulation(base({ rate: { readingsPerSec: 10 }, pacerClock: clock, progressIntervalMs: 500 }), new MemoryPublisher(clock), (p) => reports.push(p));
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports.at(-1)).toEqual(expect.objectContaining({ readingsSent: 12, enginesActive: 0 }));
    expect(reports[0].enginesActive).toBe(3);
    expect(reports[1].ratePerSec).toBeGreaterThan(8);
    expect(reports[1].ratePerSec).toBeLessThan(12);
  });

  it('stamps by default so that the replay ends now, never in the future', async () => {
    const pub = new MemoryPublisher();
    const before = Date.now();
    await runSimulation(base({ clock: { cycleMs: 60_000 } }), pub);
    const ts = pub.readings().map((r) => r.ts as number);
    expect(Math.max(...ts)).toBeLessThanOrEqual(Date.now());
    expect(Math.max(...ts)).toBeGreaterThanOrEqual(before - 1000);
    expect(pub.readings().find((r) => r.asset === 'engine-001' && r.seq === 2)!.ts).toBe(Math.max(...ts) - 3 * 60_000);
  });

  it('fails with the publisher error', async () => {
    await expect(runSimulation(base(), new MemoryPublisher(undefined, 4))).rejects.toThrow('broker gone');
  });
});
