import type { SupplierStats } from '@millwright/supplier-contracts';

/** Counts what happened to order requests, so tests and the demo can see faults actually struck. */
export class SupplierStatsCounter {
  private readonly counts: SupplierStats = { requests: 0, accepted: 0, duplicates: 0, rejected: 0, failed: 0, timedOut: 0 };

  count(what: keyof SupplierStats): void {
    this.counts[what]++;
  }

  snapshot(): SupplierStats {
    return { ...this.counts };
  }
}
