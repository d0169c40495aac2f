import { connect, type ConnectionOptions, type JetStreamClient, type NatsConnection } from 'nats';
import { InFlightWindow, type TelemetryPublisher } from './telemetry.publisher';

export interface NatsPublisherOptions {
  /**
   * Publish through JetStream and wait for the stream's acks: the simulator then knows the stream
   * holds every reading (a missing stream fails the run instead of dropping data silently).
   */
  jetstream?: boolean;
  /** Unacknowledged JetStream publishes allowed at once. */
  maxInFlight?: number;
  /** Core publishes between two flushes: nats.js buffers without limit, this bounds its memory. */
  flushEvery?: number;
  /** Close the connection on close(); true for connections this module opened. */
  ownsConnection?: boolean;
}

export class NatsPublisher implements TelemetryPublisher {
  readonly describe: string;
  private readonly js?: JetStreamClient;
  private readonly window: InFlightWindow;
  private sinceFlush = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: NatsPublisherOptions = {},
  ) {
    this.js = opts.jetstream ? nc.jetstream() : undefined;
    this.window = new InFlightWindow(opts.maxInFlight ?? 256);
    this.describe = opts.jetstream ? 'nats+jetstream' : 'nats';
  }

  async publish(subject: string, data: Uint8Array): Promise<void> {
    if (this.js) return this.window.add(this.js.publish(subject, data));
    this.nc.publish(subject, data);
    if (++this.sinceFlush >= (this.opts.flushEvery ?? 1000)) await this.flush();
  }

  async flush(): Promise<void> {
    await this.window.drain();
    this.sinceFlush = 0;
    await this.nc.flush();
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.opts.ownsConnection) await this.nc.drain();
    }
  }
}

export async function connectNatsPublisher(
  servers: string,
  opts: Omit<NatsPublisherOptions, 'ownsConnection'> & { connection?: Partial<ConnectionOptions> } = {},
): Promise<NatsPublisher> {
  const nc = await connect({ servers, name: 'millwright-sensor-simulator', ...opts.connection });
  return new NatsPublisher(nc, { ...opts, ownsConnection: true });
}
