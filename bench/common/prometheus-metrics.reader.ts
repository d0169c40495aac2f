/**
 * Counters and gauges (summed over their labels) and histograms' `_count` and `_sum` from a service's
 * Prometheus /metrics page; empty when the page cannot be read (the benches time their phases from
 * events; these figures explain them).
 */
export async function scrapeMetrics(baseUrl: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    for (const m of text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+([0-9.eE+-]+)$/gm)) {
      if (m[1].endsWith('_bucket')) continue;
      out.set(m[1], (out.get(m[1]) ?? 0) + Number(m[2]));
    }
  } catch {
    // Nothing: the caller reports the figure as missing.
  }
  return out;
}
