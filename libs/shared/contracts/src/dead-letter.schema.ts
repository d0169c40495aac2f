import type { IngestRejectCode, SyncRejectCode } from './error-codes';
import type { DeadLetterSource } from './subjects';

/**
 * What lands on `deadletter.v1.<source>.<site>`: enough to see why, and to replay the original
 * bytes once the sender is fixed.
 */
export interface DeadLetterV1 {
  source: DeadLetterSource;
  reason: IngestRejectCode | SyncRejectCode;
  detail: string;
  /** Subject the original was published on. */
  subject: string;
  /** Epoch ms when the edge refused it. */
  rejectedAt: number;
  /** The original message body (for one bad reading of a batch: that reading, re-encoded as JSON). */
  payload: string;
  payloadEncoding: 'utf8' | 'base64';
  /** Index within the batch when only one reading of a batch was refused. */
  index?: number;
  /** JetStream sequence of the original message in its stream. */
  streamSeq?: number;
}

/** Encodes refused bytes so that nothing is lost, even when they are not valid UTF-8. */
export function encodeDeadLetterPayload(data: Uint8Array): Pick<DeadLetterV1, 'payload' | 'payloadEncoding'> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const text = buf.toString('utf8');
  // A lossless round-trip means the bytes were valid UTF-8.
  if (Buffer.byteLength(text) === buf.length && !text.includes('\uFFFD')) return { payload: text, payloadEncoding: 'utf8' };
  return { payload: buf.toString('base64'), payloadEncoding: 'base64' };
}

/** The dead letter for a refused stream message: its original bytes, named by its stream sequence. */
export function deadLetterOf(
  source: DeadLetterSource,
  msg: { subject: string; data: Uint8Array; seq: number },
  reason: DeadLetterV1['reason'],
  detail: string,
  now: number,
): DeadLetterV1 {
  return { source, reason, detail, subject: msg.subject, rejectedAt: now, ...encodeDeadLetterPayload(msg.data), streamSeq: msg.seq };
}
