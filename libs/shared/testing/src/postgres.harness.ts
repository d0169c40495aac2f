import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports';
import { makeTempDir } from './temp-dir';
import { startProcess } from './child-process';
import { WaitAborted, waitFor } from './wait-for';

export interface PostgresHandle {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The newest PostgreSQL server binaries of the Debian package (postgresql-15 on Debian 12). */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: install the Debian package postgresql (scripts/setup.sh does)');
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/**
 * Starts a throwaway PostgreSQL server: a fresh cluster in a temp dir on a free port, trust auth on
 * loopback only, one database. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` user that the Debian package creates.
 */
export async function startPostgres(database = 'millwright'): Promise<PostgresHandle> {
  const bin = postgresBinDir();
  const dir = makeTempDir('mw-pg-');
  const data = join(dir.path, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [string, string[]];
  if (asRoot) {
    const pw = execFileSync('id', ['-u', 'postgres']).toString().trim();
    const gr = execFileSync('id', ['-g', 'postgres']).toString().trim();
    chownSync(dir.path, Number(pw), Number(gr));
  }
  execFileSync(...run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']), { stdio: 'pipe' });
  const port = await freePort();
  const [cmd, args] = run(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir.path, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']);
  const p = startProcess(cmd, args);
  const psql = (sql: string, db = 'postgres') => execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { stdio: 'pipe' }).toString();
  await waitFor(
    async () => {
      if (p.child.exitCode !== null) throw new WaitAborted(`postgres exited:\n${p.output()}`);
      try {
        psql('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    { timeoutMs: 20_000, what: `postgres on port ${port}` },
  );
  psql(`CREATE DATABASE ${database}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    async stop() {
      await p.stop(10_000);
      dir.remove();
    },
  };
}
