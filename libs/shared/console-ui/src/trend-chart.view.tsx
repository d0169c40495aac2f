import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
}

/**
 * One uPlot chart (canvas, about 50 KB minified for thousands of points). Rebuilt when the data
 * changes; the figure has a text caption for screen readers since a canvas says nothing.
 */
export function TrendChart({ title, x, series, xLabel, caption, height = 220 }: { title: string; x: number[]; series: ChartSeries[]; xLabel: string; caption: string; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const width = Math.max(280, el.clientWidth);
    const plot = new uPlot(
      {
        title,
        width,
        height,
        scales: { x: { time: false } },
        axes: [{ label: xLabel, stroke: '#1f2933' }, { stroke: '#1f2933' }],
        series: [{ label: xLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false }))],
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [x, series, title]);
  return (
    <figure class="chart">
      <div ref={host} class="chart-host" />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
