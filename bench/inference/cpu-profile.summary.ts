import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '@millwright/testing';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface HotFunction {
  fn: string;
  where: string;
  self_ms: number;
  /** Share of the non-idle samples. */
  share: number;
}

/** Where a frame lives, shortened to something a reader can open (repo-relative, or the package name). */
function shortUrl(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith('/') ? relative(repoRoot(), path) : path;
}

/**
 * The functions with the most self time in a V8 .cpuprofile (from `node --cpu-prof`). Self time,
 * not total: it names the code that burns the CPU rather than the framework frames above it.
 */
export function hotFunctions(file: string, top = 12): { busy_ms: number; idle_ms: number; functions: HotFunction[] } | null {
  if (!existsSync(file)) return null;
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const totalSamples = p.samples?.length ?? p.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
  if (totalSamples === 0) return null;
  const msPerSample = (p.endTime - p.startTime) / 1000 / totalSamples;
  const byFn = new Map<string, { fn: string; where: string; hits: number }>();
  let idle = 0;
  for (const node of p.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const fn = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const e = byFn.get(key);
    if (e) e.hits += hits;
    else byFn.set(key, { fn, where, hits });
  }
  const busy = totalSamples - idle;
  const functions = [...byFn.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, self_ms: Math.round(e.hits * msPerSample), share: Math.round((e.hits / Math.max(1, busy)) * 1000) / 1000 }));
  return { busy_ms: Math.round(busy * msPerSample), idle_ms: Math.round(idle * msPerSample), functions };
}

export function profilePath(dir: string, name: string): string {
  return join(dir, `${name}.cpuprofile`);
}
