import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsRegistry } from '@millwright/observability';
import { TwinSqliteStore } from '@millwright/twin-data-access';

export interface HistoryRetentionOptions {
  maxPerAsset: number;
  maxAgeMs: number;
  intervalMs: number;
  /** Assets visited per tick, so that one tick never holds the writer for long. */
  assetsPerTick: number;
}
export const HISTORY_RETENTION_OPTIONS = Symbol('HISTORY_RETENTION_OPTIONS');

/** Keeps reading history bounded by count and age, a slice of assets at a time. */
@Injectable()
export class HistoryRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(HistoryRetentionService.name);
  private timer?: NodeJS.Timeout;
  private cursor: string | undefined;
  private readonly pruned;

  constructor(
    private readonly store: TwinSqliteStore,
    @Inject(HISTORY_RETENTION_OPTIONS) private readonly o: HistoryRetentionOptions,
    metrics: MetricsRegistry,
  ) {
    this.pruned = metrics.counter('millwright_history_pruned_total', 'Reading history rows removed by retention');
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  tick(now = Date.now()): number {
    try {
      const { deleted, cursor } = this.store.pruneHistory(this.o.maxPerAsset, now - this.o.maxAgeMs, this.o.assetsPerTick, this.cursor);
      this.cursor = cursor;
      this.pruned.inc(deleted);
      return deleted;
    } catch (e) {
      this.log.error(`history retention failed: ${(e as Error).message}`);
      return 0;
    }
  }
}
