import type { JetStreamClient, NatsConnection } from 'nats';

const enc = new TextEncoder();

/** Core NATS publish of a JSON event: at most once, for listeners that can miss one. */
export function publishJson(nc: NatsConnection, subject: string, payload: unknown): void {
  nc.publish(subject, enc.encode(JSON.stringify(payload)));
}

/** JetStream publish that resolves once the stream has stored the message. */
export async function publishJsonDurably(js: JetStreamClient, subject: string, payload: unknown, msgId: string): Promise<void> {
  await js.publish(subject, enc.encode(JSON.stringify(payload)), { msgID: msgId });
}
