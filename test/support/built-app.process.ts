import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WaitAborted, deployedNodeOptions, freePort, repoRoot, startProcess, waitFor, type RunningProcess } from '@millwright/testing';

export interface AppHandle {
  baseUrl: string;
  port: number;
  process: RunningProcess;
  /** Starts it again with the same settings and port (after kill9 or stop). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

/** The script an app's image starts: its one-file bundle where the build makes one, else src/main.js. */
export function builtApp(name: string): string {
  const bundle = join(repoRoot(), 'dist', 'apps', name, 'bundle', 'main.js');
  if (existsSync(bundle)) return bundle;
  const main = join(repoRoot(), 'dist', 'apps', name, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` before the system tests (npm test does)`);
  return main;
}

/**
 * Starts a built app (dist/apps/<name>) as its own process on a free port and waits until it is ready.
 * It runs with its Deployment's NODE_OPTIONS (unless `env` sets them), as in the cluster: a heap cap
 * too small for the work, or code that cannot run without a JIT where the Deployment turns it off,
 * fails here first.
 */
export async function startBuiltApp(name: string, env: Record<string, string>, readyPath = '/health/ready'): Promise<AppHandle> {
  const port = await freePort();
  const nodeOptions = deployedNodeOptions(name);
  const fullEnv = { ...process.env, ...(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }), HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', ...env };
  const main = builtApp(name);
  const launch = async () => {
    const p = startProcess(process.execPath, [main], { env: fullEnv });
    await waitFor(
      async () => {
        if (p.child.exitCode !== null) throw new WaitAborted(`${name} exited with ${p.child.exitCode}:\n${p.output()}`);
        return (await fetch(`http://127.0.0.1:${port}${readyPath}`)).ok;
      },
      { timeoutMs: 20_000, what: `${name} readiness` },
    );
    return p;
  };
  const handle: AppHandle = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    process: await launch(),
    async restart() {
      handle.process = await launch();
    },
    stop: () => handle.process.stop(),
    kill9: () => handle.process.kill9(),
  };
  return handle;
}
