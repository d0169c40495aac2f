import type { SimEngine } from './engine.source';
import { fleetTicks } from './fleet.interleaver';
import { MessageEncoder, type OutboundMessage } from './message.encoder';
import { ProgressMeter, type SimulationProgress } from './progress.meter';
import { RatePacer, realClock, type PacerClock } from './rate.pacer';
import { cmapssRowToReading, type SimClock } from './reading.mapper';
import type { TelemetryPublisher } from './telemetry.publisher';

/**
 * How fast to replay. `readingsPerSec` paces messages by the readings they carry; `cyclesPerSec`
 * paces fleet ticks (every engine reports once per tick, so readings/s = cycles/s x active engines)
 * and closes a batch at the end of every tick, as a gateway that reports per cycle would.
 * `max` sends as fast as the publisher accepts.
 */
export type SimulationRate = { readingsPerSec: number } | { cyclesPerSec: number } | 'max';

export interface SimulationOptions {
  site: string;
  gateway: string;
  engines: SimEngine[];
  /** Defaults to `cycleMs` 60 s and a start chosen so that the longest engine's last cycle is stamped now. */
  clock?: Partial<SimClock>;
  rate?: SimulationRate;
  /** 1 (default) publishes each reading on its own subject; more batches up to this many per message. */
  batchSize?: number;
  /** Stop after this many readings (0 or absent: no bound). */
  maxReadings?: number;
  /** Stop after this many fleet ticks (0 or absent: no bound). */
  maxCycles?: number;
  /** Restart finished engines as new episodes; without a bound or a signal the run never ends. */
  loop?: boolean;
  includeUnits?: boolean;
  /** Progress report interval (0: only the final report). */
  progressIntervalMs?: number;
  /** Aborting stops the run after the message in hand; what was sent is flushed and summarised. */
  signal?: AbortSignal;
  /** For tests: a fake clock drives pacing and the progress timer. */
  pacerClock?: PacerClock;
}

export type StopReason = 'completed' | 'max-readings' | 'max-cycles' | 'aborted';

export interface SimulationSummary extends SimulationProgress {
  stoppedBy: StopReason;
  /** Engines that reached their last row at least once. */
  enginesFinished: number;
  /** Highest seq published per asset: what a consumer must have seen when it is caught up. */
  lastSeqByAsset: Record<string, number>;
  clock: SimClock;
  transport: string;
}

export const DEFAULT_CYCLE_MS = 60_000;

/**
 * Replays a fleet through a publisher and resolves once everything sent is confirmed by the
 * publisher's flush (JetStream acks, PUBACKs, or a NATS round trip). Throws the publisher's error
 * if a send fails; does not close the publisher, which belongs to the caller.
 */
export async function runSimulation(
  options: SimulationOptions,
  publisher: TelemetryPublisher,
  onProgress?: (p: SimulationProgress) => void,
): Promise<SimulationSummary> {
  const o = options;
  const clockSrc = o.pacerClock ?? realClock;
  const clock = resolveClock(o.engines, o.clock, Date.now());
  const rate = o.rate ?? 'max';
  const pacer = rate === 'max' ? undefined : new RatePacer('readingsPerSec' in rate ? rate.readingsPerSec : rate.cyclesPerSec, { clock: clockSrc });
  const perTick = rate !== 'max' && 'cyclesPerSec' in rate;
  const encoder = new MessageEncoder({ site: o.site, gateway: o.gateway, batchSize: o.batchSize ?? 1 });
  const meter = new ProgressMeter(clockSrc.now(), o.progressIntervalMs ?? 0);
  const lastSeqByAsset: Record<string, number> = {};
  const finished = new Set<string>();
  const maxReadings = o.maxReadings || Infinity;
  const maxCycles = o.maxCycles || Infinity;
  let queued = 0;

  const send = async (msg: OutboundMessage): Promise<void> => {
    if (pacer && !perTick) await pacer.take(msg.readings.length, o.signal);
    await publisher.publish(msg.subject, msg.data);
    meter.record(msg.readings.length);
    for (const r of msg.readings) lastSeqByAsset[r.asset] = r.seq;
    const now = clockSrc.now();
    if (onProgress && meter.due(now)) onProgress(meter.report(now));
  };

  let stoppedBy: StopReason = 'completed';
  run: for (const tick of fleetTicks(o.engines, { loop: o.loop })) {
    if (o.signal?.aborted) {
      stoppedBy = 'aborted';
      break;
    }
    if (meter.ticks >= maxCycles) {
      stoppedBy = 'max-cycles';
      break;
    }
    meter.ticks++;
    meter.enginesActive = tick.length;
    if (perTick) await pacer?.take(1, o.signal);
    for (const entry of tick) {
      if (queued >= maxReadings) {
        stoppedBy = 'max-readings';
        break run;
      }
      if (o.signal?.aborted) {
        stoppedBy = 'aborted';
        break run;
      }
      const reading = cmapssRowToReading(entry.row, { site: o.site, asset: entry.engine.assetId, clock, seq: entry.seq, includeUnits: o.includeUnits });
      queued++;
      if (entry.row === entry.engine.rows[entry.engine.rows.length - 1]) finished.add(entry.engine.assetId);
      for (const msg of encoder.add(reading)) await send(msg);
    }
    if (perTick) {
      const rest = encoder.flush();
      if (rest) await send(rest);
    }
  }
  const rest = encoder.flush();
  if (rest) await send(rest);
  await publisher.flush();

  meter.enginesActive = stoppedBy === 'completed' ? 0 : meter.enginesActive;
  const final = meter.report(clockSrc.now());
  onProgress?.(final);
  return { ...final, stoppedBy, enginesFinished: finished.size, lastSeqByAsset, clock, transport: publisher.describe };
}

/** Fills in the clock; by default the replay is history that ends now, so no reading is stamped in the future. */
export function resolveClock(engines: SimEngine[], clock: Partial<SimClock> | undefined, nowMs: number): SimClock {
  const cycleMs = clock?.cycleMs ?? DEFAULT_CYCLE_MS;
  if (clock?.startMs !== undefined) return { startMs: clock.startMs, cycleMs };
  const longest = Math.max(0, ...engines.map((e) => e.rows[e.rows.length - 1]?.cycle ?? 0));
  return { startMs: nowMs - longest * cycleMs, cycleMs };
}
