import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { connect, nkeyAuthenticator, type NatsConnection } from 'nats';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

export interface NatsConnectionOptions {
  servers: string;
  /** Shown in the server's connection list (`/connz`), which is how an operator finds a client. */
  name: string;
  /** File holding this service's nkey seed (a mounted Secret, from `npm run provision`); empty: no credentials. */
  nkeySeedFile?: string;
}

/** Connection options for a service's identity: the seed is read once at start, never logged. */
export function natsAuthOptions(nkeySeedFile: string | undefined): { authenticator?: ReturnType<typeof nkeyAuthenticator> } {
  if (!nkeySeedFile) return {};
  return { authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(nkeySeedFile, 'utf8').trim())) };
}

/** Connects once at start-up (a service without its broker is not ready) and reconnects forever after. */
export async function connectNats(o: NatsConnectionOptions): Promise<NatsConnection> {
  const log = new Logger('NATS');
  const nc = await connect({ servers: o.servers.split(','), name: o.name, maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: false, ...natsAuthOptions(o.nkeySeedFile) });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') log.warn(`${s.type}: ${String(s.data)}`);
    }
  })();
  return nc;
}

class NatsConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}
  async onApplicationShutdown(): Promise<void> {
    // drain() lets in-flight publishes and acks go out before the socket closes.
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
  }
}

@Module({})
export class NatsConnectionModule {
  static forRoot(o: NatsConnectionOptions): DynamicModule {
    return {
      module: NatsConnectionModule,
      global: true,
      providers: [{ provide: NATS_CONNECTION, useFactory: () => connectNats(o) }, NatsConnectionCloser],
      exports: [NATS_CONNECTION],
    };
  }
}
