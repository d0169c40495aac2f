import { spawn, type ChildProcess } from 'node:child_process';

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr interleaved), for failure messages. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, as far as the process can tell. */
  kill9(): Promise<void>;
}

const running = new Set<RunningProcess>();
// A test that throws half-way must not leave servers behind for the next one.
process.once('exit', () => {
  for (const p of running) p.child.kill('SIGKILL');
});

export function startProcess(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; maxOutput?: number } = {}): RunningProcess {
  const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const max = opts.maxOutput ?? 200_000;
  let out = '';
  const append = (b: Buffer) => {
    out += b.toString();
    if (out.length > max) out = out.slice(out.length - max);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: RunningProcess = {
    child,
    output: () => out,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      }
      running.delete(proc);
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      running.delete(proc);
    },
  };
  running.add(proc);
  return proc;
}
