import { DiscardPolicy, NatsError, RetentionPolicy, StorageType, nanos, type ConsumerConfig, type JetStreamManager, type StreamConfig } from 'nats';

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

export interface StreamBounds {
  maxBytes?: number;
  maxAgeMs?: number;
  maxMsgsPerSubject?: number;
  /** Window in which a repeated Nats-Msg-Id is dropped. */
  duplicateWindowMs?: number;
  replicas?: number;
}

/**
 * Every stream Millwright declares: file storage, limits retention, the oldest messages dropped
 * when a bound is reached. What differs between streams is only their bounds (what an outage must
 * survive) and, for streams filled from another domain, their sources instead of subjects.
 */
export function boundedFileStream(
  name: string,
  subjects: readonly string[],
  b: StreamBounds,
  extra: Pick<Partial<StreamConfig>, 'sources'> = {},
): Partial<StreamConfig> & { name: string } {
  return {
    name,
    ...(subjects.length ? { subjects: [...subjects] } : {}),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    ...(b.maxBytes !== undefined ? { max_bytes: b.maxBytes } : {}),
    ...(b.maxAgeMs !== undefined ? { max_age: nanos(b.maxAgeMs) } : {}),
    ...(b.maxMsgsPerSubject !== undefined ? { max_msgs_per_subject: b.maxMsgsPerSubject } : {}),
    ...(b.duplicateWindowMs !== undefined ? { duplicate_window: nanos(b.duplicateWindowMs) } : {}),
    ...(b.replicas !== undefined ? { num_replicas: b.replicas } : {}),
    ...extra,
  };
}
