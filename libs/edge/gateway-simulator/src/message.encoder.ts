import { Subjects, TelemetryLimits, type ReadingV1 } from '@millwright/contracts';

/** A message ready for any transport: a NATS subject (MQTT derives its topic from it) and its body. */
export interface OutboundMessage {
  subject: string;
  data: Uint8Array;
  readings: ReadingV1[];
}

export interface EncoderOptions {
  site: string;
  gateway: string;
  /** 1 sends each reading on its own subject; more packs up to this many into one batch message. */
  batchSize: number;
  /** Defaults to the contract's limit; a batch is closed early rather than exceed it. */
  maxPayloadBytes?: number;
}

/**
 * Turns readings into contract messages. Batches are assembled from individually serialised
 * readings so that the byte size is known before a reading is added: a full batch of readings with
 * units would otherwise overrun the 512 KiB payload limit and be refused whole by the edge.
 */
export class MessageEncoder {
  private readonly maxBytes: number;
  private readonly prefix: string;
  private parts: string[] = [];
  private pending: ReadingV1[] = [];
  private bytes = 0;

  constructor(private readonly opts: EncoderOptions) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1 || opts.batchSize > TelemetryLimits.maxBatchReadings) {
      throw new Error(`batch size must be an integer in 1..${TelemetryLimits.maxBatchReadings}, got ${opts.batchSize}`);
    }
    this.maxBytes = opts.maxPayloadBytes ?? TelemetryLimits.maxPayloadBytes;
    this.prefix = `{"site":${JSON.stringify(opts.site)},"gateway":${JSON.stringify(opts.gateway)},"readings":[`;
  }

  /** Adds a reading; returns the messages it completed (none, or one; two when a batch overflows by size). */
  add(reading: ReadingV1): OutboundMessage[] {
    const json = JSON.stringify(reading);
    if (this.opts.batchSize === 1) return [this.single(reading, json)];

    const size = Buffer.byteLength(json);
    if (Buffer.byteLength(this.prefix) + size + 2 > this.maxBytes) throw new Error(`reading ${reading.asset}#${reading.seq} alone exceeds ${this.maxBytes} bytes`);
    const out: OutboundMessage[] = [];
    // +1 for the comma, +2 for the closing "]}".
    if (this.pending.length > 0 && Buffer.byteLength(this.prefix) + this.bytes + size + this.pending.length + 2 > this.maxBytes) {
      out.push(this.take());
    }
    this.parts.push(json);
    this.pending.push(reading);
    this.bytes += size;
    if (this.pending.length >= this.opts.batchSize) out.push(this.take());
    return out;
  }

  /** The readings still waiting in a partial batch, as one message. */
  flush(): OutboundMessage | undefined {
    return this.pending.length > 0 ? this.take() : undefined;
  }

  private single(reading: ReadingV1, json: string): OutboundMessage {
    const data = Buffer.from(json);
    if (data.byteLength > this.maxBytes) throw new Error(`reading ${reading.asset}#${reading.seq} exceeds ${this.maxBytes} bytes`);
    return { subject: Subjects.reading(this.opts.site, reading.asset), data, readings: [reading] };
  }

  private take(): OutboundMessage {
    const msg = {
      subject: Subjects.readingBatch(this.opts.site, this.opts.gateway),
      data: Buffer.from(this.prefix + this.parts.join(',') + ']}'),
      readings: this.pending,
    };
    this.parts = [];
    this.pending = [];
    this.bytes = 0;
    return msg;
  }
}
