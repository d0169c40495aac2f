import { Streams } from '@millwright/contracts';

export interface TelemetryIngestOptions {
  /** Most readings committed in one SQLite transaction; predictions are taken up to about as many. */
  maxBatchReadings: number;
  /** Unacked messages the server may have in flight to us; bounds memory and the redelivery window. */
  maxAckPending: number;
  /** Bytes the in-flight messages may add up to: fewer than `maxAckPending` of them when they are large (JetStreamBatchConsumer). */
  maxBytesInFlight: number;
  /** How long the server waits for an ack before redelivering (ms). */
  ackWaitMs: number;
  /** Telemetry stream limits: it is the edge's store-and-forward buffer, not an archive. */
  streamMaxBytes: number;
  streamMaxAgeMs: number;
  /** Dead letters are kept this long for inspection and replay. */
  deadLetterMaxAgeMs: number;
  deadLetterMaxBytes: number;
  /** Predictions are kept for the central sync to forward after an outage. */
  predictionsMaxAgeMs: number;
  predictionsMaxBytes: number;
  /** Stream file replicas: 1 on a single edge box. */
  replicas: number;
}

export const TELEMETRY_INGEST_OPTIONS = Symbol('TELEMETRY_INGEST_OPTIONS');
export const INGEST_DURABLE = Streams.telemetry.twinConsumer;

/** Delay before a batch whose commit failed is redelivered: long enough for a full disk to be noticed. */
export const INGEST_RETRY_DELAY_MS = 2000;
