import { freePort, startProcess, waitFor, type RunningProcess } from '@millwright/testing';
import { builtApp } from './twin-service.process';

export interface PredictorHandle {
  baseUrl: string;
  process: RunningProcess;
  stop(): Promise<void>;
}

/** Starts the built predictor as its own process and waits until it is ready. */
export async function startPredictor(env: Record<string, string>): Promise<PredictorHandle> {
  const port = await freePort();
  const p = startProcess(process.execPath, [builtApp('predictor')], { env: { ...process.env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', ...env } });
  await waitFor(
    async () => {
      if (p.child.exitCode !== null) throw new Error(`predictor exited with ${p.child.exitCode}:\n${p.output()}`);
      return (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok;
    },
    { timeoutMs: 20_000, what: 'predictor readiness' },
  );
  return { baseUrl: `http://127.0.0.1:${port}`, process: p, stop: () => p.stop() };
}
