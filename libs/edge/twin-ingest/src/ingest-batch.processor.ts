import { Subjects, deadLetterOf, parseTelemetryMessage, type DeadLetterV1 } from '@millwright/contracts';
import type { TelemetryBatch, TelemetryCommit, TwinSqliteStore } from '@millwright/twin-data-access';
import { TwinChangeFramer, type ChangeFrame } from './twin-change.framer';

/** A telemetry message as the processor reads it (a JetStream message is one). */
export interface InboundMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Stream sequence: names dead letters so that a redelivered message's copy is deduplicated. */
  readonly seq: number;
}

export interface OutboundDeadLetter {
  subject: string;
  letter: DeadLetterV1;
  msgId: string;
  /** Index of the inbound message (in the batch) that produced it; it is acked only once this is stored. */
  from: number;
}

export interface CommittedBatch {
  /** Messages taken from the front of the buffer, all in this commit. */
  taken: number;
  accepted: number;
  historyInserted: number;
  frames: ChangeFrame[];
  /**
   * Why the commit's changes could not be framed (then `frames` is empty). The commit stands: a
   * change notification that never comes is a gap consumers already handle, as announceTwinChanges.
   */
  frameError?: string;
  deadLetters: OutboundDeadLetter[];
}

/**
 * Turns telemetry messages into one SQLite transaction: each message is parsed, validated and its
 * good readings applied, logged and added to history before the next is read, so that a message's
 * objects die young (held to the end of a 1,000-reading commit, they were the garbage collector's
 * main work); then the commit, and the twin-changed frames built from the bytes the commit logged.
 * It does no network I/O, so the consumer loop around it stays a thin adapter.
 */
export class IngestBatchProcessor {
  private readonly framer: TwinChangeFramer;

  /** `maxFrameBytes`: what one twin-changed frame may hold (`frameLimit` of the connection they go out on). */
  constructor(
    private readonly store: TwinSqliteStore,
    private readonly clock: () => number = Date.now,
    maxFrameBytes?: number,
  ) {
    this.framer = new TwinChangeFramer(maxFrameBytes);
  }

  /** Takes messages from the front of `msgs` until they hold `maxReadings` readings (at least one message). */
  commit(msgs: readonly InboundMessage[], maxReadings = Number.POSITIVE_INFINITY): CommittedBatch {
    const now = this.clock();
    const deadLetters: OutboundDeadLetter[] = [];
    let taken = 0;
    const committed = this.store.commitTelemetry(now, (batch: TelemetryBatch) => {
      let readings = 0;
      while (taken < msgs.length && readings < maxReadings) {
        const i = taken++;
        const m = msgs[i];
        const p = parseTelemetryMessage(m.subject, m.data, now);
        for (let j = 0; j < p.readings.length; j++) batch.add(p.readings[j]);
        readings += p.readings.length;
        for (const rej of p.rejections) {
          // One bad reading of a batch is kept on its own: replaying it must not repeat the good ones.
          const item = rej.item !== undefined ? { payload: JSON.stringify(rej.item), payloadEncoding: 'utf8' as const } : {};
          const letter: DeadLetterV1 = { ...deadLetterOf('telemetry', m, rej.reason, rej.detail, now), ...item, index: rej.index };
          deadLetters.push({ subject: Subjects.deadLetter('telemetry', p.site), msgId: `telemetry-${m.seq}-${rej.index ?? 'msg'}`, from: i, letter });
        }
      }
    });
    return { taken, accepted: committed.accepted, historyInserted: committed.historyInserted, deadLetters, ...this.frame(committed, now) };
  }

  /**
   * One event per twin that moved, carrying the readings that moved it (not the folded reported
   * map: the event stays half the size, and a consumer that folds them by per-sensor seq, the twin's
   * own rule, gets the same reported state). Read back from the commit's log: no reading objects.
   */
  private frame(committed: TelemetryCommit, now: number): { frames: ChangeFrame[]; frameError?: string } {
    try {
      for (const c of committed.changes) {
        const w = this.framer.writerFor(c.twin.site);
        w.event(c.twin.asset, 'telemetry', c.twin.version, c.fromVersion, c.twin.lastSeq, now, c.assetClass !== undefined ? { metadata: { assetClass: c.assetClass } } : undefined, c.records.length);
        for (const at of c.records) {
          const r = committed.readingAt(at);
          w.reading(r.seq, r.ts, r.names, r.values);
        }
      }
      return { frames: this.framer.take() };
    } catch (e) {
      this.framer.discard();
      return { frames: [], frameError: `${committed.changes.length} twin changes not announced: ${(e as Error).message}` };
    }
  }
}
