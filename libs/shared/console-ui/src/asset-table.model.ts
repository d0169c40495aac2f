import type { AssetRow, HealthStatus } from '@millwright/console-contracts';

export type SortKey = 'asset' | 'site' | 'assetClass' | 'health' | 'rul' | 'risk' | 'lastSeenAt' | 'openOrder';
export interface TableQuery {
  search: string;
  health: HealthStatus | '';
  sort: SortKey;
  dir: 'asc' | 'desc';
}

// Worst first when sorting by health: that is what staff look for.
const HEALTH_RANK: Record<HealthStatus, number> = { critical: 0, warning: 1, ok: 2, unknown: 3 };

function compare(a: AssetRow, b: AssetRow, key: SortKey): number {
  switch (key) {
    case 'health':
      return HEALTH_RANK[a.health] - HEALTH_RANK[b.health];
    case 'rul':
    case 'risk':
    case 'lastSeenAt': {
      // Assets without a value go last in either direction of the numeric columns' natural order.
      const x = a[key];
      const y = b[key];
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      return x - y;
    }
    case 'openOrder':
      return (a.openOrder?.state ?? '~').localeCompare(b.openOrder?.state ?? '~');
    default:
      return (a[key] ?? '').localeCompare(b[key] ?? '');
  }
}

/** Filters and sorts rows for the assets table; ties break by site and asset so the order is stable. */
export function queryRows(rows: Iterable<AssetRow>, q: TableQuery): AssetRow[] {
  const needle = q.search.trim().toLowerCase();
  const out: AssetRow[] = [];
  for (const r of rows) {
    if (q.health && r.health !== q.health) continue;
    if (needle && !r.asset.toLowerCase().includes(needle) && !(r.assetClass ?? '').toLowerCase().includes(needle) && !r.site.toLowerCase().includes(needle)) continue;
    out.push(r);
  }
  const sign = q.dir === 'asc' ? 1 : -1;
  out.sort((a, b) => sign * compare(a, b, q.sort) || a.site.localeCompare(b.site) || a.asset.localeCompare(b.asset));
  return out;
}

/** Which rows of a scrolled list of fixed-height rows are on screen (with some overscan). */
export function visibleWindow(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 8): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(total, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { start, end };
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ago(ts: number | null, now: number): string {
  if (ts === null) return 'never';
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
