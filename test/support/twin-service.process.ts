import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@millwright/testing';
import { startBuiltApp, type AppHandle } from './built-app.process';

export { builtApp } from './built-app.process';
export type TwinServiceHandle = AppHandle;

/** Starts the built twin service as its own process and waits until it is ready. */
export const startTwinService = (env: Record<string, string>): Promise<TwinServiceHandle> => startBuiltApp('twin-service', env);

/** A nats-server, a temp dir, the twin service on a SQLite file in it, and a client connection. */
export interface TwinStack {
  nats: NatsServerHandle;
  dir: TempDir;
  svc: TwinServiceHandle;
  nc: NatsConnection;
}

/**
 * Registers beforeAll/afterAll that start a TwinStack (`env` adds to NATS_URL, TWIN_DB_PATH and
 * SQLITE_SYNCHRONOUS=normal) and stop it; the returned object is filled once beforeAll has run.
 */
export function twinStackPerSuite(tempPrefix: string, env: Record<string, string> = {}): TwinStack {
  const stack = {} as TwinStack;
  beforeAll(async () => {
    stack.nats = await startNatsServer();
    stack.dir = makeTempDir(tempPrefix);
    stack.svc = await startTwinService({ NATS_URL: stack.nats.url, TWIN_DB_PATH: join(stack.dir.path, 'twins.db'), SQLITE_SYNCHRONOUS: 'normal', ...env });
    stack.nc = await connect({ servers: stack.nats.url });
  });
  afterAll(async () => {
    await stack.nc?.close();
    await stack.svc?.stop();
    await stack.nats?.stop();
    stack.dir?.remove();
  });
  return stack;
}
