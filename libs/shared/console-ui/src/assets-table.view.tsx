import type { AssetRow, HealthStatus } from '@millwright/console-contracts';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { liveStore } from './api.client';
import { ago, queryRows, visibleWindow, type SortKey, type TableQuery } from './asset-table.model';
import { useLiveStore } from './hooks';

const ROW_HEIGHT = 44;
const COLUMNS: Array<{ key: SortKey; label: string; numeric?: boolean }> = [
  { key: 'asset', label: 'Asset' },
  { key: 'site', label: 'Site' },
  { key: 'assetClass', label: 'Class' },
  { key: 'health', label: 'Health' },
  { key: 'rul', label: 'RUL (cycles)', numeric: true },
  { key: 'risk', label: 'Failure risk', numeric: true },
  { key: 'lastSeenAt', label: 'Last seen' },
  { key: 'openOrder', label: 'Open order' },
];

export function HealthBadge({ health }: { health: HealthStatus }) {
  return <span class={`badge badge-${health}`} data-health={health}>{health}</span>;
}

/**
 * All assets of the site (or of the picked site in fleet mode) in one table. Only the rows on
 * screen are in the DOM, so 10,000 assets cost what 30 do; sorting and filtering run over the
 * in-memory rows.
 */
export function AssetsTableView() {
  const version = useLiveStore();
  const [q, setQ] = useState<TableQuery>({ search: '', health: '', sort: 'health', dir: 'asc' });
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => queryRows(liveStore.rows.values(), q), [version, q]);
  const now = Date.now();

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const { start, end } = visibleWindow(scrollTop, viewport, ROW_HEIGHT, rows.length);
  const sortBy = (key: SortKey) => setQ((p) => ({ ...p, sort: key, dir: p.sort === key && p.dir === 'asc' ? 'desc' : 'asc' }));
  const counts = useMemo(() => {
    const c = { ok: 0, warning: 0, critical: 0, unknown: 0 };
    for (const r of liveStore.rows.values()) c[r.health]++;
    return c;
  }, [version]);

  return (
    <section aria-labelledby="assets-title">
      <h1 id="assets-title">Assets</h1>
      <div class="toolbar" role="search">
        <label>
          Search
          <input type="search" value={q.search} placeholder="asset, class or site" onInput={(e) => setQ({ ...q, search: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          Health
          <select value={q.health} onChange={(e) => setQ({ ...q, health: (e.target as HTMLSelectElement).value as TableQuery['health'] })}>
            <option value="">all</option>
            <option value="critical">critical ({counts.critical})</option>
            <option value="warning">warning ({counts.warning})</option>
            <option value="ok">ok ({counts.ok})</option>
            <option value="unknown">unknown ({counts.unknown})</option>
          </select>
        </label>
        <p class="count" role="status" data-testid="asset-count">
          {liveStore.hydrated ? `${rows.length} of ${liveStore.rows.size} assets` : 'loading assets…'}
        </p>
      </div>
      <div
        class="table-scroll"
        ref={scroller}
        tabIndex={0}
        aria-label="Assets table, scrollable"
        data-ready={liveStore.hydrated ? 'true' : 'false'}
        onScroll={(e) => setScrollTop((e.target as HTMLDivElement).scrollTop)}
      >
        <table class="assets" aria-rowcount={rows.length + 1}>
          <thead>
            <tr aria-rowindex={1}>
              {COLUMNS.map((c) => (
                <th scope="col" aria-sort={q.sort === c.key ? (q.dir === 'asc' ? 'ascending' : 'descending') : 'none'} class={c.numeric ? 'num' : ''}>
                  <button type="button" class="sort" onClick={() => sortBy(c.key)}>
                    {c.label}
                    <span aria-hidden="true">{q.sort === c.key ? (q.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {start > 0 && <tr aria-hidden="true" style={{ height: `${start * ROW_HEIGHT}px` }} />}
            {rows.slice(start, end).map((r, i) => (
              <AssetTableRow key={`${r.site}/${r.asset}`} row={r} index={start + i + 2} now={now} />
            ))}
            {end < rows.length && <tr aria-hidden="true" style={{ height: `${(rows.length - end) * ROW_HEIGHT}px` }} />}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AssetTableRow({ row: r, index, now }: { row: AssetRow; index: number; now: number }) {
  return (
    <tr aria-rowindex={index} data-asset={r.asset} class={`row-${r.health}`}>
      <td>
        <a href={`#/assets/${r.site}/${r.asset}`}>{r.asset}</a>
      </td>
      <td>{r.site}</td>
      <td>{r.assetClass ?? '–'}</td>
      <td>
        <HealthBadge health={r.health} />
      </td>
      <td class="num">{r.rul === null ? '–' : r.rul.toFixed(0)}</td>
      <td class="num">{r.risk === null ? '–' : `${(r.risk * 100).toFixed(0)} %`}</td>
      <td>{ago(r.lastSeenAt, now)}</td>
      <td>{r.openOrder ? <a href={`#/orders/${r.openOrder.id}`}>{r.openOrder.state.replace(/_/g, ' ')}</a> : '–'}</td>
    </tr>
  );
}
