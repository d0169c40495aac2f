/** A benchmark target as bench-results/*.json hold it: null value and pass when it was not measured. */
export interface Target {
  target: string;
  value: number | null;
  pass: boolean | null;
}

export const check = (value: number | null | undefined, target: string, ok: (v: number) => boolean): Target => ({
  target,
  value: value === null || value === undefined ? null : Math.round(value * 100) / 100,
  pass: value === null || value === undefined ? null : ok(value),
});

/** Prints targets as the benchmarks do: one PASS / FAIL / n/a line each, with the measured value. */
export function printTargets(targets: Record<string, Target>): void {
  console.log('\ntargets:');
  for (const t of Object.values(targets)) console.log(`  ${t.pass === null ? 'n/a ' : t.pass ? 'PASS' : 'FAIL'}  ${t.target}  (value ${t.value ?? '-'})`);
}

/**
 * The exit code of a benchmark that ran: 1 when a target it checks was missed, as a failing test
 * would (the results file is written either way); 0 when every measured target passed.
 */
export const exitCodeFor = (targets: Record<string, Pick<Target, 'pass'>>): number => (Object.values(targets).some((t) => t.pass === false) ? 1 : 0);

/** A number for the printed summary: thousands separated, `-` when missing. */
export const fmt = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** Rows as aligned columns: the first left-aligned, the rest right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}
