import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, repoRoot, startProcess, waitFor } from '@millwright/testing';
import { stopBenchService, type BenchService } from '../inference/bench-services.launcher';
import { ProcessMemorySampler } from '../common/process-memory.sampler';

/**
 * Starts `node [nodeArgs] dist/apps/<app>/src/main.js` on a free port and waits for `readyPath`
 * (the supplier simulator has no /health/ready, its stats page says it is up); a crash fails at once.
 */
export async function startOrdersService(app: string, env: Record<string, string>, nodeArgs: readonly string[], readyPath = '/health/ready'): Promise<BenchService> {
  const port = await freePort();
  const proc = startProcess(process.execPath, [...nodeArgs, join(repoRoot(), 'dist', 'apps', app, 'src', 'main.js')], {
    env: { ...process.env, ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' },
    cwd: repoRoot(),
    maxOutput: 1_000_000,
  });
  const svc: BenchService = { name: app, proc, baseUrl: `http://127.0.0.1:${port}`, memory: proc.child.pid ? new ProcessMemorySampler(proc.child.pid) : undefined };
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${app} exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.output().slice(-4000)}`);
        return (await fetch(`${svc.baseUrl}${readyPath}`)).ok;
      },
      { timeoutMs: 60_000, intervalMs: 50, what: `${app} to be ready` },
    );
  } catch (e) {
    await stopBenchService(svc);
    throw e;
  }
  return svc;
}

/** Keeps a process's output for reading after the run (bench-results/ is gitignored). */
export function saveOrdersLog(name: string, output: string): string {
  const dir = join(repoRoot(), 'bench-results', 'orders-logs');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.log`);
  writeFileSync(path, output);
  return path;
}

/** One counter of a Prometheus page with one label value (the shared scraper sums over labels). */
export async function counterWithLabel(baseUrl: string, name: string, label: string, value: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const m = new RegExp(`^${name}\\{[^}]*${label}="${value}"[^}]*\\}\\s+([0-9.eE+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return null;
  }
}
