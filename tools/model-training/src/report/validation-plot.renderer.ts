export interface UnitTrajectory {
  unit: number;
  /** Cycle order; true and predicted RUL at each scored cycle. */
  trueRul: ArrayLike<number>;
  predictedRul: ArrayLike<number>;
}

export interface ValidationPlotInput {
  title: string;
  subtitle: string;
  cap: number;
  units: UnitTrajectory[];
}

const PLOT = 440;
const MARGIN = { left: 64, right: 130, top: 56, bottom: 48 };
const LEGEND_ROW = 14;

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Predicted against true RUL, one line per validation engine (walking from the top right at the
 * start of its life to the origin at failure), over the ideal diagonal. Lines rather than dots keep
 * the file small and show whether an engine's error is a bias or noise. Hand-written SVG: no
 * plotting dependency, and the output is byte-stable for the same numbers.
 */
export function renderValidationPlot(input: ValidationPlotInput): string {
  const width = MARGIN.left + PLOT + MARGIN.right;
  const height = MARGIN.top + PLOT + MARGIN.bottom;
  const top = input.cap * 1.1;
  const sx = (v: number) => (MARGIN.left + (v / top) * PLOT).toFixed(1);
  const sy = (v: number) => (MARGIN.top + PLOT - (v / top) * PLOT).toFixed(1);
  const legendRows = Math.floor(PLOT / LEGEND_ROW) - 1;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="16" font-weight="bold">${escapeXml(input.title)}</text>`,
    `<text x="${MARGIN.left}" y="42" fill="#444">${escapeXml(input.subtitle)}</text>`,
  );
  for (let v = 0; v <= top; v += 25) {
    parts.push(
      `<line x1="${sx(v)}" y1="${sy(0)}" x2="${sx(v)}" y2="${sy(top)}" stroke="#eee"/>`,
      `<line x1="${sx(0)}" y1="${sy(v)}" x2="${sx(top)}" y2="${sy(v)}" stroke="#eee"/>`,
      `<text x="${sx(v)}" y="${Number(sy(0)) + 16}" text-anchor="middle">${v}</text>`,
      `<text x="${Number(sx(0)) - 6}" y="${Number(sy(v)) + 4}" text-anchor="end">${v}</text>`,
    );
  }
  parts.push(
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(top)}" y2="${sy(0)}" stroke="black"/>`,
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(0)}" y2="${sy(top)}" stroke="black"/>`,
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(top)}" y2="${sy(top)}" stroke="black" stroke-dasharray="6 4"/>`,
    `<text x="${sx(top / 2)}" y="${height - 12}" text-anchor="middle">true RUL (cycles, capped at ${input.cap})</text>`,
    `<text transform="translate(18 ${sy(top / 2)}) rotate(-90)" text-anchor="middle">predicted RUL (cycles)</text>`,
  );
  input.units.forEach((u, i) => {
    const colour = `hsl(${Math.round((i * 360) / input.units.length)} 70% 42%)`;
    const points = Array.from(u.trueRul, (t, k) => `${sx(t)},${sy(u.predictedRul[k])}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.2" stroke-opacity="0.8" points="${points}"/>`);
    if (i >= legendRows) return;
    const ly = MARGIN.top + LEGEND_ROW * i;
    parts.push(
      `<line x1="${Number(sx(top)) + 16}" y1="${ly}" x2="${Number(sx(top)) + 36}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${Number(sx(top)) + 40}" y="${ly + 4}">unit ${u.unit}</text>`,
    );
  });
  if (input.units.length > legendRows) {
    parts.push(`<text x="${Number(sx(top)) + 16}" y="${MARGIN.top + LEGEND_ROW * legendRows + 4}">+${input.units.length - legendRows} more</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
