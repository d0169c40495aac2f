import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@millwright/testing';

/** Keeps a process's output for reading after the run, in bench-results/<bench>-logs (gitignored). */
export function saveLog(bench: string, name: string, output: string): string {
  const dir = join(repoRoot(), 'bench-results', `${bench}-logs`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.log`);
  writeFileSync(path, output);
  return path;
}

// Lines that say what was asked for, not that something went wrong: V8 names WebAssembly as off
// when a process runs --jitless (maintenance's Deployment), and --no-expose-wasm, which would
// silence it, is not allowed in NODE_OPTIONS.
const EXPECTED_NOTICES = [/^Warning: disabling flag --expose_wasm due to conflicting flags$/];

/** Lines of a process's output that look like trouble, for the report (first few distinct ones). */
export function troubleLines(output: string, max = 8): string[] {
  const seen = new Map<string, string>();
  // Nest colours its log levels; the escapes would only get in the way of reading the report.
  for (const line of output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    if (!/\b(error|warn|warning|exception|unhandled|fatal|slow consumer)\b|\[(WRN|ERR|FTL)\]/i.test(line)) continue;
    if (EXPECTED_NOTICES.some((re) => re.test(line.trim()))) continue;
    // Messages that differ only in numbers count once.
    const key = line.replace(/\d+/g, '#').slice(0, 300);
    if (!seen.has(key)) seen.set(key, line.slice(0, 300));
    if (seen.size >= max) break;
  }
  return [...seen.values()];
}
