export interface SimulationProgress {
  readingsSent: number;
  messagesSent: number;
  /** Fleet ticks started (each tick is one cycle of every active engine). */
  ticks: number;
  enginesActive: number;
  elapsedMs: number;
  /** Readings per second since the previous progress report. */
  ratePerSec: number;
  /** Readings per second since the start. */
  avgRatePerSec: number;
}

/** Counts what was sent and decides when the next progress report is due. */
export class ProgressMeter {
  readingsSent = 0;
  messagesSent = 0;
  ticks = 0;
  enginesActive = 0;
  private lastAt: number;
  private lastReadings = 0;

  constructor(
    private readonly startedAt: number,
    private readonly intervalMs: number,
  ) {
    this.lastAt = startedAt;
  }

  record(readings: number): void {
    this.readingsSent += readings;
    this.messagesSent++;
  }

  due(now: number): boolean {
    return this.intervalMs > 0 && now - this.lastAt >= this.intervalMs;
  }

  /** A report, and the start of the next rate window. */
  report(now: number): SimulationProgress {
    const window = now - this.lastAt;
    const elapsedMs = now - this.startedAt;
    const p: SimulationProgress = {
      readingsSent: this.readingsSent,
      messagesSent: this.messagesSent,
      ticks: this.ticks,
      enginesActive: this.enginesActive,
      elapsedMs,
      ratePerSec: window > 0 ? ((this.readingsSent - this.lastReadings) * 1000) / window : 0,
      avgRatePerSec: elapsedMs > 0 ? (this.readingsSent * 1000) / elapsedMs : 0,
    };
    this.lastAt = now;
    this.lastReadings = this.readingsSent;
    return p;
  }
}
