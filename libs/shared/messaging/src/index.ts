export * from './nats-connection.module';
export * from './jetstream.setup';
export * from './json.publisher';
export * from './jetstream-batch.consumer';
