import { connect, type NatsConnection } from 'nats';
import { join } from 'node:path';
import { freePort } from './ports';
import { makeTempDir, type TempDir } from './temp-dir';
import { repoRoot } from './repo-root';
import { startProcess, type RunningProcess } from './child-process';
import { WaitAborted, waitFor } from './wait-for';

export interface NatsServerHandle {
  url: string;
  port: number;
  mqttPort: number;
  mqttUrl: string;
  httpPort: number;
  storeDir: string;
  process: RunningProcess;
  /** Stops the server and removes its store, unless `keepStore`. */
  stop(opts?: { keepStore?: boolean }): Promise<void>;
  /** Starts the server again on the same ports and store (after a stop or kill). */
  restart(): Promise<void>;
}

export interface NatsServerOptions {
  /** Config file relative to the repo root; defaults to the committed edge config. */
  config?: string;
  domain?: string;
  serverName?: string;
  storeDir?: string;
  maxFileStore?: string;
}

/**
 * Starts the real nats-server (the Debian package) with the committed edge config, on free ports
 * and a temporary JetStream store, and waits until JetStream answers.
 */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const [port, mqttPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  let temp: TempDir | undefined;
  const storeDir = opts.storeDir ?? (temp = makeTempDir('mw-nats-')).path;
  const env = {
    ...process.env,
    NATS_SERVER_NAME: opts.serverName ?? `mw-test-${port}`,
    NATS_PORT: String(port),
    NATS_HTTP_PORT: String(httpPort),
    NATS_MQTT_PORT: String(mqttPort),
    NATS_STORE_DIR: storeDir,
    NATS_JS_DOMAIN: opts.domain ?? 'edge',
    NATS_MAX_FILE_STORE: opts.maxFileStore ?? '2GB',
  };
  const config = join(repoRoot(), opts.config ?? 'config/nats/nats-edge.conf');
  const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';

  const launch = async (): Promise<RunningProcess> => {
    const p = startProcess(bin, ['-c', config], { env });
    p.child.once('error', () => undefined);
    await waitFor(
      async () => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) throw new WaitAborted(`nats-server exited:\n${p.output()}`);
        const res = await fetch(`http://127.0.0.1:${httpPort}/healthz?js-enabled-only=true`);
        return res.ok;
      },
      { timeoutMs: 15_000, what: `nats-server on port ${port} (is the Debian package nats-server installed?)` },
    );
    return p;
  };

  const handle: NatsServerHandle = {
    url: `nats://127.0.0.1:${port}`,
    port,
    mqttPort,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    httpPort,
    storeDir,
    process: await launch(),
    async stop({ keepStore = false } = {}) {
      await handle.process.stop();
      if (!keepStore) temp?.remove();
    },
    async restart() {
      await handle.process.stop();
      handle.process = await launch();
    },
  };
  return handle;
}

/** A nats-server for one test suite and a client connection to it. */
export interface NatsPerSuite {
  server: NatsServerHandle;
  nc: NatsConnection;
}

/**
 * Registers beforeAll/afterAll that start a nats-server and connect to it, then close and stop
 * both; the returned object is filled once beforeAll has run.
 */
export function natsPerSuite(): NatsPerSuite {
  const suite = {} as NatsPerSuite;
  beforeAll(async () => {
    suite.server = await startNatsServer();
    suite.nc = await connect({ servers: suite.server.url });
  });
  afterAll(async () => {
    await suite.nc?.close();
    await suite.server?.stop();
  });
  return suite;
}
