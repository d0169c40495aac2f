import {
  Subjects,
  deadLetterOf,
  parseTelemetryMessage,
  type DeadLetterV1,
  type ParsedTelemetry,
  type Reading,
  type TwinChangedV1,
} from '@millwright/contracts';
import type { TwinSqliteStore } from '@millwright/twin-data-access';
import { applyReadings, twinKey, type AssetTwin } from '@millwright/twin-domain';

export interface InboundMessage {
  subject: string;
  data: Uint8Array;
  /** Stream sequence: names dead letters so that a redelivered message's copy is deduplicated. */
  streamSeq: number;
}

export interface OutboundDeadLetter {
  subject: string;
  letter: DeadLetterV1;
  msgId: string;
  /** Index of the inbound message (in the batch) that produced it; it is acked only once this is stored. */
  from: number;
}

export interface CommittedBatch {
  accepted: number;
  historyInserted: number;
  events: TwinChangedV1[];
  deadLetters: OutboundDeadLetter[];
}

/**
 * Turns a batch of telemetry messages into one SQLite transaction: validate each message, apply the
 * good readings to the twins, commit, and return what must be published (twin-changed events, dead
 * letters). It does no network I/O, so the consumer loop around it stays a thin adapter.
 */
export class IngestBatchProcessor {
  constructor(
    private readonly store: TwinSqliteStore,
    private readonly clock: () => number = Date.now,
  ) {}

  parse(msg: InboundMessage): ParsedTelemetry {
    return parseTelemetryMessage(msg.subject, msg.data, this.clock());
  }

  commit(msgs: readonly InboundMessage[], parsed: readonly ParsedTelemetry[]): CommittedBatch {
    const now = this.clock();
    const readings: Reading[] = [];
    const deadLetters: OutboundDeadLetter[] = [];
    for (let i = 0; i < parsed.length; i++) {
      const p = parsed[i];
      for (const r of p.readings) readings.push(r);
      for (const rej of p.rejections) {
        const m = msgs[i];
        // One bad reading of a batch is kept on its own: replaying it must not repeat the good ones.
        const item = rej.item !== undefined ? { payload: JSON.stringify(rej.item), payloadEncoding: 'utf8' as const } : {};
        const letter: DeadLetterV1 = { ...deadLetterOf('telemetry', { subject: m.subject, data: m.data, seq: m.streamSeq }, rej.reason, rej.detail, now), ...item, index: rej.index };
        deadLetters.push({ subject: Subjects.deadLetter('telemetry', p.site), msgId: `telemetry-${m.streamSeq}-${rej.index ?? 'msg'}`, from: i, letter });
      }
    }

    // Batch-local lookup: a twin must stay the same object for the whole batch even if the store's
    // cache evicts it meanwhile.
    const local = new Map<string, AssetTwin>();
    const lookup = (site: string, asset: string) => {
      const k = twinKey(site, asset);
      let t = local.get(k);
      if (!t) local.set(k, (t = this.store.getOrCreate(site, asset, now)));
      return t;
    };
    const changes = applyReadings(readings, lookup, now);
    const { historyInserted } = this.store.commitIngest(changes, readings);

    const events: TwinChangedV1[] = new Array(changes.length);
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i];
      // Readings, not the folded reported map: the event stays half the size, and a consumer that
      // folds them by per-sensor seq (the twin's own rule) gets the same reported state. The
      // validated readings themselves: they carry seq, ts and values (and their site and asset).
      const body: TwinChangedV1['changes'] = { readings: c.applied };
      if (c.assetClass !== undefined) body.metadata = { assetClass: c.assetClass };
      events[i] = { site: c.twin.site, asset: c.twin.asset, version: c.twin.version, fromVersion: c.fromVersion, cause: 'telemetry', at: now, changes: body, lastSeq: c.twin.lastSeq };
    }
    return { accepted: readings.length, historyInserted, events, deadLetters };
  }
}
