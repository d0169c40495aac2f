import type BetterSqlite3 from 'better-sqlite3';
import { readRecord, readValues, viewOf } from './reading-record.codec';

type Db = BetterSqlite3.Database;

export interface HistoryPoint {
  seq: number;
  ts: number;
  values: Record<string, number>;
}

export interface ReadingHistoryOptions {
  /** Readings per chunk row: one index entry and one row write per this many readings of an asset. */
  chunkSize: number;
}

/** A reading accepted into an asset's tail: where the ingest log holds it, so the log is kept until the tail is stored. */
interface Tail {
  buf: Uint8Array;
  used: number;
  count: number;
  firstSeq: number;
  lastSeq: number;
  maxTs: number;
  oldestLogId: number;
  newestLogId: number;
  /** When the first reading came in (ms), for flushing tails of assets that report rarely. */
  since: number;
}

interface AssetState {
  /** Readings stored in chunks. */
  chunked: number;
  /** Highest seq stored (chunks or tail); a higher one is new without looking anything up. */
  maxSeq: number;
  tail?: Tail;
}

/**
 * Recent readings per asset, stored in chunks of `chunkSize` readings. An index entry per reading
 * made every commit dirty a page of the (asset, seq) index per reading, wherever the asset's entries
 * lay: at 10,000 assets that was most of the ingest's time. Readings first collect in a small
 * in-memory tail per asset; a full tail (or one older than the caller's limit) becomes one row.
 *
 * Tails are not durable by themselves: the caller writes every accepted reading to its ingest log
 * in the same transaction, keeps log entries from `oldestPendingLogId()` on, and after a crash
 * appends the readings of those entries again (duplicates of what reached a chunk are recognised).
 *
 * All methods that write run inside the caller's SQLite transaction; `beginTransaction` and
 * `endTransaction` make the in-memory state follow that transaction's outcome.
 */
export class ReadingHistory {
  private readonly assets = new Map<number, AssetState>();
  /** Assets with readings in a tail, oldest first (re-inserted when a tail starts anew). */
  private readonly pending = new Map<number, Tail>();
  /** In-memory state as it was before the running transaction touched it; restored on rollback. */
  private journal?: Map<number, { chunked: number; maxSeq: number; tail?: Tail; fields?: Tail }>;
  private readonly stmt;

  constructor(
    db: Db,
    private readonly namesOf: (setId: number) => readonly string[] | undefined,
    private readonly o: ReadingHistoryOptions = { chunkSize: 8 },
  ) {
    this.stmt = {
      insertChunk: db.prepare('INSERT INTO reading_chunk (asset_id, first_seq, last_seq, last_ts, count, max_log_id, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      addSummary: db.prepare(`INSERT INTO history_summary (asset_id, count, max_seq) VALUES (?, ?, ?)
        ON CONFLICT (asset_id) DO UPDATE SET count = count + excluded.count, max_seq = max(max_seq, excluded.max_seq)`),
      newestChunks: db.prepare<[number, number], { first_seq: number; last_seq: number; body: Buffer }>(
        'SELECT first_seq, last_seq, body FROM reading_chunk WHERE asset_id = ? AND first_seq < ? ORDER BY last_seq DESC',
      ),
      chunksHolding: db.prepare<[number, number, number], { body: Buffer }>('SELECT body FROM reading_chunk WHERE asset_id = ? AND last_seq >= ? AND first_seq <= ?'),
      // A page of the oldest: retention usually drops one chunk, and an asset may hold a hundred.
      oldestChunks: db.prepare<[number], { id: number; count: number; last_ts: number }>('SELECT id, count, last_ts FROM reading_chunk WHERE asset_id = ? ORDER BY last_seq LIMIT 16'),
      deleteChunk: db.prepare('DELETE FROM reading_chunk WHERE id = ?'),
      subtractSummary: db.prepare('UPDATE history_summary SET count = count - ? WHERE asset_id = ?'),
      lastChunkId: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM reading_chunk'),
      chunkedSince: db.prepare<[number], { asset_id: number; log_id: number }>('SELECT asset_id, max(max_log_id) AS log_id FROM reading_chunk WHERE id > ? GROUP BY asset_id'),
      summaries: db.prepare<[], { asset_id: number; count: number; max_seq: number }>('SELECT asset_id, count, max_seq FROM history_summary'),
    };
    for (const s of this.stmt.summaries.iterate()) this.assets.set(s.asset_id, { chunked: s.count, maxSeq: s.max_seq });
  }

  /**
   * Call before the caller's transaction, and `endTransaction` after it: in-memory state changed in
   * between is put back if the transaction did not commit.
   */
  beginTransaction(): void {
    this.journal = new Map();
  }

  endTransaction(committed: boolean): void {
    if (!committed) this.rollback();
    this.journal = undefined;
  }

  /**
   * Adds a reading, given as its encoded record (reading-record.codec.ts), unless the asset already
   * has one with this seq; returns whether it was added. `logId` is the log entry that holds it.
   */
  append(assetId: number, seq: number, ts: number, record: Uint8Array, logId: number, now: number): boolean {
    let a = this.assets.get(assetId);
    if (!a) {
      a = { chunked: 0, maxSeq: -1 };
      this.assets.set(assetId, a);
    }
    if (seq <= a.maxSeq && this.has(assetId, a, seq)) return false;
    this.remember(assetId, a);
    const size = record.length;
    let t = a.tail;
    if (!t) {
      const buf = new Uint8Array(size * this.o.chunkSize);
      t = { buf, used: 0, count: 0, firstSeq: seq, lastSeq: seq, maxTs: ts, oldestLogId: logId, newestLogId: logId, since: now };
      a.tail = t;
      this.pending.set(assetId, t);
    } else if (t.used + size > t.buf.length) {
      // A wider sensor set than the tail was sized for.
      const buf = new Uint8Array(Math.max(t.buf.length * 2, t.used + size));
      buf.set(t.buf.subarray(0, t.used));
      t.buf = buf;
    }
    t.buf.set(record, t.used);
    t.used += size;
    t.count++;
    if (seq < t.firstSeq) t.firstSeq = seq;
    if (seq > t.lastSeq) t.lastSeq = seq;
    if (ts > t.maxTs) t.maxTs = ts;
    t.newestLogId = logId;
    if (seq > a.maxSeq) a.maxSeq = seq;
    if (t.count >= this.o.chunkSize) this.store(assetId, a);
    return true;
  }

  /** Stores tails started at or before `cutoff` (ms), oldest first, at most `budget` of them. Returns how many. */
  flushStartedBefore(cutoff: number, budget: number): number {
    let n = 0;
    for (const [assetId, t] of this.pending) {
      if (n >= budget || t.since > cutoff) break;
      this.store(assetId, this.assets.get(assetId)!);
      n++;
    }
    return n;
  }

  flushAll(): void {
    for (const assetId of [...this.pending.keys()]) this.store(assetId, this.assets.get(assetId)!);
  }

  /** The oldest ingest log entry a tail still depends on, or undefined when every reading is in a chunk. */
  oldestPendingLogId(): number | undefined {
    for (const t of this.pending.values()) return t.oldestLogId;
    return undefined;
  }

  get pendingAssets(): number {
    return this.pending.size;
  }

  /** Readings stored for an asset (chunks and tail). */
  count(assetId: number): number {
    const a = this.assets.get(assetId);
    return a ? a.chunked + (a.tail?.count ?? 0) : 0;
  }

  /** Up to `limit` readings with seq below `beforeSeq`, oldest first. */
  read(assetId: number, limit: number, beforeSeq = Number.MAX_SAFE_INTEGER): HistoryPoint[] {
    const a = this.assets.get(assetId);
    if (!a || limit <= 0) return [];
    const found: HistoryPoint[] = [];
    if (a.tail) this.decodeInto(a.tail.buf.subarray(0, a.tail.used), beforeSeq, found);
    // Chunks newest first; once `limit` readings are found, a chunk whose newest reading is older
    // than the limit-th newest found cannot contribute.
    for (const c of this.stmt.newestChunks.iterate(assetId, beforeSeq)) {
      if (found.length >= limit) {
        found.sort((x, y) => y.seq - x.seq);
        found.length = limit;
        if (c.last_seq < found[limit - 1].seq) break;
      }
      this.decodeInto(c.body, beforeSeq, found);
    }
    found.sort((x, y) => x.seq - y.seq);
    return found.length > limit ? found.slice(found.length - limit) : found;
  }

  /**
   * Retention for one asset: drops its oldest chunks while the readings left stay at least
   * `maxPerAsset`, and chunks whose newest reading is older than `minTs`. Only chunks up to
   * `maxChunkId` may go (the caller's recovery still counts on later ones). Returns readings removed.
   */
  prune(assetId: number, maxPerAsset: number, minTs: number, maxChunkId: number): number {
    const a = this.assets.get(assetId);
    if (!a || a.chunked === 0) return 0;
    let total = this.count(assetId);
    let removed = 0;
    for (let more = true; more; ) {
      const page = this.stmt.oldestChunks.all(assetId);
      more = page.length > 0;
      for (const c of page) {
        const overCount = total - c.count >= maxPerAsset;
        if (c.id > maxChunkId || (!overCount && c.last_ts >= minTs)) {
          more = false;
          break;
        }
        this.stmt.deleteChunk.run(c.id);
        total -= c.count;
        removed += c.count;
      }
    }
    if (removed > 0) {
      this.remember(assetId, a);
      this.stmt.subtractSummary.run(removed, assetId);
      a.chunked -= removed;
    }
    return removed;
  }

  /** Asset ids with stored readings, ascending, after `after`: the order retention walks them in. */
  assetIdsAfter(after: number, limit: number): number[] {
    const out: number[] = [];
    for (const id of this.assets.keys()) if (id > after) out.push(id);
    out.sort((x, y) => x - y);
    return out.slice(0, limit);
  }

  lastChunkId(): number {
    return this.stmt.lastChunkId.get()?.id ?? 0;
  }

  /** Per asset, the newest ingest log entry whose readings reached a chunk written after chunk `chunkId`. */
  chunkedLogIdsAfter(chunkId: number): Map<number, number> {
    const out = new Map<number, number>();
    for (const r of this.stmt.chunkedSince.iterate(chunkId)) out.set(r.asset_id, r.log_id);
    return out;
  }

  private store(assetId: number, a: AssetState): void {
    const t = a.tail;
    if (!t) return;
    this.remember(assetId, a);
    this.stmt.insertChunk.run(assetId, t.firstSeq, t.lastSeq, t.maxTs, t.count, t.newestLogId, Buffer.from(t.buf.buffer, t.buf.byteOffset, t.used));
    this.stmt.addSummary.run(assetId, t.count, t.lastSeq);
    a.chunked += t.count;
    a.tail = undefined;
    this.pending.delete(assetId);
  }

  /** Whether a reading with this seq is stored: the tail first, then the chunks whose range holds it. */
  private has(assetId: number, a: AssetState, seq: number): boolean {
    if (a.tail && this.tailHas(a.tail.buf.subarray(0, a.tail.used), seq)) return true;
    for (const c of this.stmt.chunksHolding.iterate(assetId, seq, seq)) if (this.tailHas(c.body, seq)) return true;
    return false;
  }

  private tailHas(body: Uint8Array, seq: number): boolean {
    const view = viewOf(body);
    for (let o = 0; o < body.length; ) {
      const r = readRecord(view, o, this.namesOf);
      if (r.seq === seq) return true;
      o = r.end;
    }
    return false;
  }

  private decodeInto(body: Uint8Array, beforeSeq: number, out: HistoryPoint[]): void {
    const view = viewOf(body);
    for (let o = 0; o < body.length; ) {
      const r = readRecord(view, o, this.namesOf);
      o = r.end;
      if (r.seq >= beforeSeq) continue;
      out.push({ seq: r.seq, ts: r.ts, values: readValues(view, r) });
    }
  }

  /** Saves an asset's in-memory state the first time the running transaction touches it. */
  private remember(assetId: number, a: AssetState): void {
    if (!this.journal || this.journal.has(assetId)) return;
    this.journal.set(assetId, { chunked: a.chunked, maxSeq: a.maxSeq, tail: a.tail, fields: a.tail ? { ...a.tail } : undefined });
  }

  private rollback(): void {
    const journal = this.journal;
    this.journal = undefined;
    if (!journal) return;
    for (const [assetId, saved] of journal) {
      const a = this.assets.get(assetId);
      if (!a) continue;
      a.chunked = saved.chunked;
      a.maxSeq = saved.maxSeq;
      // Bytes below `used` are never rewritten and a stored tail gets a new buffer, so the saved
      // fields describe the tail exactly as it was.
      if (saved.tail && saved.fields) Object.assign(saved.tail, saved.fields);
      a.tail = saved.tail;
    }
    // Oldest first again, as oldestPendingLogId expects.
    const tails = [...this.assets].filter(([, a]) => a.tail).sort(([, x], [, y]) => x.tail!.oldestLogId - y.tail!.oldestLogId);
    this.pending.clear();
    for (const [assetId, a] of tails) this.pending.set(assetId, a.tail!);
  }
}
