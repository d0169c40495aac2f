import { headers, type JetStreamClient, type NatsConnection } from 'nats';

const enc = new TextEncoder();

/**
 * Core NATS publish of a JSON event. `msgId` becomes Nats-Msg-Id, so a stream capturing the subject
 * drops the copy a redelivery would publish again.
 */
export function publishJson(nc: NatsConnection, subject: string, payload: unknown, msgId?: string): void {
  if (msgId === undefined) {
    nc.publish(subject, enc.encode(JSON.stringify(payload)));
    return;
  }
  const h = headers();
  h.set('Nats-Msg-Id', msgId);
  nc.publish(subject, enc.encode(JSON.stringify(payload)), { headers: h });
}

/** JetStream publish that resolves once the stream has stored the message. */
export async function publishJsonDurably(js: JetStreamClient, subject: string, payload: unknown, msgId: string): Promise<void> {
  await js.publish(subject, enc.encode(JSON.stringify(payload)), { msgID: msgId });
}
