import { ServerNats } from '@nestjs/microservices';
import type { NatsConnection } from 'nats';

/**
 * Nest's NATS transport, on the `nats` 2.x client this workspace installs. Nest 12 loads
 * `@nats-io/transport-node` itself, which is not a dependency here; nats 2.x has the same connect,
 * subscribe-with-callback and `msg.json()` API, so handing Nest a connection is the only change and
 * the subscription, deserialisation and dispatch stay Nest's own.
 */
export class NatsJsServer extends ServerNats {
  constructor(private readonly connection: NatsConnection) {
    super({});
  }

  override async createNatsClient(): Promise<NatsConnection> {
    return this.connection;
  }
}
