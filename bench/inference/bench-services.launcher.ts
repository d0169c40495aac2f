import { join } from 'node:path';
import { WaitAborted, freePort, repoRoot, startProcess, waitFor, type RunningProcess } from '@millwright/testing';
import { ProcessMemorySampler } from '../common/process-memory.sampler';
import { saveLog, troubleLines } from '../common/service-output';


export interface BenchService {
  name: string;
  proc: RunningProcess;
  baseUrl: string;
  memory?: ProcessMemorySampler;
}

/** Starts `node [nodeArgs] <dist script>` and waits for /health/ready; a crash fails at once with its output. */
export async function startBenchService(name: string, script: string, env: Record<string, string>, nodeArgs: readonly string[]): Promise<BenchService> {
  const port = await freePort();
  const proc = startProcess(process.execPath, [...nodeArgs, join(repoRoot(), script)], {
    env: { ...process.env, ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' },
    cwd: repoRoot(),
    maxOutput: 1_000_000,
  });
  const svc: BenchService = { name, proc, baseUrl: `http://127.0.0.1:${port}`, memory: proc.child.pid ? new ProcessMemorySampler(proc.child.pid) : undefined };
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new WaitAborted(`${name} exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.output().slice(-4000)}`);
        return (await fetch(`${svc.baseUrl}/health/ready`)).ok;
      },
      { timeoutMs: 60_000, intervalMs: 50, what: `${name} to be ready` },
    );
  } catch (e) {
    await stopBenchService(svc);
    throw e;
  }
  return svc;
}

/**
 * SIGTERM with a long grace: a service started with --cpu-prof writes its profile only on a clean
 * exit. Returns the peak RSS (VmHWM) in MiB, read before the process is gone.
 */
export async function stopBenchService(svc: BenchService): Promise<number | null> {
  const peak = svc.memory?.stop() ?? null;
  await svc.proc.stop(15_000);
  return peak;
}

/** Whether the process is still running: a service that died mid-phase must fail the phase, not stall it. */
export function assertRunning(svc: BenchService): void {
  if (svc.proc.child.exitCode !== null || svc.proc.child.signalCode !== null) {
    throw new Error(`${svc.name} exited (${svc.proc.child.exitCode ?? svc.proc.child.signalCode}):\n${svc.proc.output().slice(-4000)}`);
  }
}

/** Keeps a service's output for reading after the run (bench-results/inference-logs). */
export const saveServiceLog = (name: string, output: string): string => saveLog('inference', name, output);

export { troubleLines };

