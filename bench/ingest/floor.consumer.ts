// The floor of the ingest bench: a bare JetStream pull consumer that acks every message and does no
// other work. It runs as its own process, like the services it is compared with, so that each gets
// a Node event loop of its own. Started by ingest.bench.ts with:
//   NATS_URL, FLOOR_STREAM, FLOOR_CONSUMER, FLOOR_MAX_MESSAGES (messages per pull request)
import { connect } from 'nats';

async function main(): Promise<void> {
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'bench-floor' });
  const consumer = await nc.jetstream().consumers.get(process.env.FLOOR_STREAM ?? 'TELEMETRY', process.env.FLOOR_CONSUMER ?? 'bench-floor');
  const messages = await consumer.consume({ max_messages: Number(process.env.FLOOR_MAX_MESSAGES ?? 1000), callback: (m) => m.ack() });
  console.log('[floor] consuming');
  process.once('SIGTERM', () => {
    messages.stop();
    void nc.drain().then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  console.error('[floor] failed:', e);
  process.exit(1);
});
