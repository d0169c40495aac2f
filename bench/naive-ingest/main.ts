// The naive ingest baseline of the ingest bench, as a process of its own:
//   NATS_URL=... NAIVE_DB_PATH=/tmp/x/naive.db SQLITE_SYNCHRONOUS=full node dist/bench/naive-ingest/main.js
// Prints `[naive-ingest] ready` once its subscriptions are on the server; stops on SIGTERM.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { connect } from 'nats';
import { NaiveIngestModule } from './naive-ingest.module';
import { NatsJsServer } from './nats-js.server';

async function main(): Promise<void> {
  const synchronous = process.env.SQLITE_SYNCHRONOUS === 'normal' ? 'normal' : 'full';
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'bench-naive-ingest' });
  const app = await NestFactory.createMicroservice(NaiveIngestModule.forRoot({ dbPath: process.env.NAIVE_DB_PATH ?? 'naive.db', synchronous, nc }), {
    strategy: new NatsJsServer(nc),
    logger: ['error', 'warn'],
  });
  await app.listen();
  // The subscriptions are only certain to be on the server after a round trip.
  await nc.flush();
  console.log('[naive-ingest] ready');
  process.once('SIGTERM', () => {
    void app
      .close()
      .catch(() => undefined)
      .then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  console.error('[naive-ingest] failed:', e);
  process.exit(1);
});
