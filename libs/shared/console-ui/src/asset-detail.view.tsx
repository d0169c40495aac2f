import type { AssetRow, RulPoint } from '@millwright/console-contracts';
import { useEffect, useMemo } from 'preact/hooks';
import { api, liveStore } from './api.client';
import { ago } from './asset-table.model';
import { HealthBadge } from './assets-table.view';
import { useLiveStore, useLoad } from './hooks';
import { TrendChart, type ChartSeries } from './trend-chart.view';

interface HistoryPage {
  points: Array<{ seq: number; ts: number; values: Record<string, number> }>;
}
interface AssetDetail {
  twin: { reported: Record<string, { v: number }>; lastSeq: number; assetClass: string | null };
  row: AssetRow | null;
  rulHistory: RulPoint[];
}

// Sensors that move most as a turbofan wears (C-MAPSS); others are shown when these are absent.
const PREFERRED = ['T50', 'T30', 'P30', 'Ps30', 'phi', 'BPR'];
const COLORS = ['#0b5cad', '#b3261e', '#1b7f3b', '#7a4cc2', '#8a5a00', '#00707a'];

/** One asset: its live row, sensor trends from twin history, and RUL history marked by model version. */
export function AssetDetailView({ site, asset }: { site: string; asset: string }) {
  const version = useLiveStore();
  const live = liveStore.rows.get(`${site}/${asset}`);
  const detail = useLoad(() => api<AssetDetail>(`/api/v1/assets/${site}/${asset}`), [site, asset]);
  const history = useLoad(() => api<HistoryPage>(`/api/v1/assets/${site}/${asset}/history?limit=300`), [site, asset]);

  // New readings or predictions for this asset: read its history again, at most every 2 s.
  useEffect(() => {
    const t = setTimeout(() => {
      history.reload();
      detail.reload();
    }, 2000);
    return () => clearTimeout(t);
  }, [live?.version]);

  const row = live ?? detail.data?.row ?? null;
  const points = history.data?.points ?? [];
  const sensors = useMemo(() => {
    const names = Object.keys(points[points.length - 1]?.values ?? {});
    const picked = PREFERRED.filter((n) => names.includes(n));
    return (picked.length ? picked : names).slice(0, 4);
  }, [points]);
  const x = useMemo(() => points.map((p) => p.seq), [points]);
  const rul = detail.data?.rulHistory ?? [];
  const rulChart = useMemo(() => {
    const versions = [...new Set(rul.map((p) => p.modelVersion))];
    const series: ChartSeries[] = versions.map((v, i) => ({ label: `RUL, model ${v}`, color: COLORS[i % COLORS.length], values: rul.map((p) => (p.modelVersion === v ? p.rul : null)) }));
    return { x: rul.map((p, i) => p.basedOnSeq ?? i), series, versions };
  }, [rul]);

  return (
    <section aria-labelledby="asset-title" data-version={version}>
      <p>
        <a href="#/assets">← All assets</a>
      </p>
      <h1 id="asset-title">
        {asset} <small>{site}</small>
      </h1>
      {detail.error && <p role="alert" class="error">{detail.error}</p>}
      {row && (
        <dl class="facts">
          <div><dt>Health</dt><dd><HealthBadge health={row.health} /></dd></div>
          <div><dt>RUL</dt><dd>{row.rul === null ? '–' : `${row.rul.toFixed(0)} cycles`}</dd></div>
          <div><dt>Failure risk</dt><dd>{row.risk === null ? '–' : `${(row.risk * 100).toFixed(0)} %`}</dd></div>
          <div><dt>Model</dt><dd>{row.modelVersion ?? '–'}</dd></div>
          <div><dt>Last seen</dt><dd>{ago(row.lastSeenAt, Date.now())}</dd></div>
          <div><dt>Open order</dt><dd>{row.openOrder ? <a href={`#/orders/${row.openOrder.id}`}>{row.openOrder.state.replace(/_/g, ' ')}</a> : 'none'}</dd></div>
        </dl>
      )}
      <h2>Sensor trends</h2>
      {history.error && <p role="alert" class="error">{history.error}</p>}
      {points.length === 0 && !history.error && <p>No readings yet.</p>}
      <div class="charts">
        {sensors.map((s, i) => (
          <TrendChart
            key={s}
            title={s}
            xLabel="cycle (seq)"
            x={x}
            series={[{ label: s, color: COLORS[i % COLORS.length], values: points.map((p) => p.values[s] ?? null) }]}
            caption={`${s} over the last ${points.length} readings; latest ${points[points.length - 1]?.values[s]?.toFixed(2) ?? '–'}.`}
          />
        ))}
      </div>
      <h2>Remaining useful life</h2>
      {rul.length === 0 ? (
        <p>No predictions seen by this console yet.</p>
      ) : (
        <TrendChart
          title="RUL by model version"
          xLabel="based on reading (seq)"
          x={rulChart.x}
          series={rulChart.series}
          caption={`${rul.length} predictions from model version${rulChart.versions.length > 1 ? 's' : ''} ${rulChart.versions.join(', ')}; latest RUL ${rul[rul.length - 1].rul?.toFixed(0) ?? '–'} cycles.`}
        />
      )}
    </section>
  );
}
