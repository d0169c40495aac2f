import { NatsError, type ConsumerConfig, type JetStreamManager, type StreamConfig } from 'nats';

function isNotFound(e: unknown): boolean {
  return e instanceof NatsError && (e.api_error?.err_code === 10059 || e.api_error?.err_code === 10014 || e.code === '404');
}

/**
 * Creates the stream, or brings an existing one to `config`. Running this at every start makes the
 * committed config the truth (limits changed in config take effect on the next rollout).
 */
export async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await jsm.streams.add(config);
  }
}

/** Creates a durable consumer, or updates the settings of an existing one that may change. */
export async function ensureConsumer(jsm: JetStreamManager, stream: string, config: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
  try {
    await jsm.consumers.info(stream, config.durable_name);
    await jsm.consumers.update(stream, config.durable_name, { max_ack_pending: config.max_ack_pending, ack_wait: config.ack_wait, max_deliver: config.max_deliver });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await jsm.consumers.add(stream, config);
  }
}
