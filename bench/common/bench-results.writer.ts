import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@millwright/testing';

/** Writes bench-results/<name>.json at the workspace root (gitignored) and returns its path. */
export function writeBenchResults(name: string, results: unknown): string {
  const dir = join(repoRoot(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(results, null, 2) + '\n');
  return path;
}

function filesystemOf(path: string): string {
  try {
    return execFileSync('df', ['--output=fstype', path], { encoding: 'utf8' }).trim().split('\n').pop() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function natsServerVersion(): string {
  try {
    return execFileSync(process.env.NATS_SERVER_BIN ?? 'nats-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * What the numbers were measured on. Absolute numbers only compare within one machine, and fsync
 * cost depends on the file system the temp stores live on (tmpfs would make `synchronous=full` free).
 */
export function machineNote(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpu_model: cpu[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    nats_server: natsServerVersion(),
    platform: `${process.platform}-${process.arch}`,
    temp_dir_fs: filesystemOf(tmpdir()),
  };
}
