import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { InFlightWindow, type TelemetryPublisher } from './telemetry.publisher';

/** The NATS server's MQTT listener maps `/` in topics to `.` in subjects. */
export function subjectToTopic(subject: string): string {
  return subject.replace(/\./g, '/');
}

export interface MqttPublisherOptions {
  /** Unacknowledged QoS 1 publishes allowed at once. */
  maxInFlight?: number;
  ownsConnection?: boolean;
}

/** Publishes at QoS 1, as a field gateway would: the server's PUBACK says it took the message. */
export class MqttPublisher implements TelemetryPublisher {
  readonly describe = 'mqtt';
  private readonly window: InFlightWindow;

  constructor(
    private readonly client: MqttClient,
    private readonly opts: MqttPublisherOptions = {},
  ) {
    this.window = new InFlightWindow(opts.maxInFlight ?? 256);
  }

  publish(subject: string, data: Uint8Array): Promise<void> {
    const payload = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return this.window.add(this.client.publishAsync(subjectToTopic(subject), payload, { qos: 1 }));
  }

  flush(): Promise<void> {
    return this.window.drain();
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.opts.ownsConnection) await this.client.endAsync();
    }
  }
}

export async function connectMqttPublisher(url: string, opts: { maxInFlight?: number; client?: IClientOptions } = {}): Promise<MqttPublisher> {
  const client = await connectAsync(url, {
    clientId: `millwright-sim-${process.pid}-${Date.now().toString(36)}`,
    // The simulator has no subscriptions to resume; a clean session leaves no state on the server.
    clean: true,
    reconnectPeriod: 1000,
    ...opts.client,
  });
  return new MqttPublisher(client, { maxInFlight: opts.maxInFlight, ownsConnection: true });
}
