import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir, type TempDir } from '@millwright/testing';
import { ReadingHistory } from './reading-history.store';
import { recordBytes, viewOf, writeRecord } from './reading-record.codec';

const SETS = new Map<number, string[]>([
  [1, ['T50', 'P30']],
  [2, ['T50', 'P30', 'Nf']],
]);
const namesOf = (id: number) => SETS.get(id);
const T0 = 1_764_000_000_000;

/** A reading's record, as the twin log writer encodes it. */
function rec(seq: number, ts: number, set: number, values: Record<string, number>): Uint8Array {
  const names = SETS.get(set)!;
  const b = new Uint8Array(recordBytes(names.length));
  writeRecord(viewOf(b), 0, seq, ts, set, names, values);
  return b;
}

describe('ReadingHistory on a real SQLite file', () => {
  let dir: TempDir;
  let db: Database.Database;

  beforeEach(() => {
    dir = makeTempDir('mw-history-');
    db = open();
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  function open(): Database.Database {
    const d = new Database(join(dir.path, 'h.db'));
    d.pragma('journal_mode = WAL');
    d.exec(`CREATE TABLE IF NOT EXISTS reading_chunk (id integer PRIMARY KEY, asset_id integer NOT NULL, first_seq integer NOT NULL,
      last_seq integer NOT NULL, last_ts integer NOT NULL, count integer NOT NULL, max_log_id integer NOT NULL, body blob NOT NULL);
      CREATE INDEX IF NOT EXISTS idx_reading_chunk_asset ON reading_chunk (asset_id, last_seq);
      CREATE TABLE IF NOT EXISTS history_summary (asset_id integer PRIMARY KEY, count integer NOT NULL, max_seq integer NOT NULL);`);
    return d;
  }

  /** Appends in one transaction, as the twin store does per ingest batch; log id = seq. */
  function append(h: ReadingHistory, assetId: number, seqs: number[], set = 1): boolean[] {
    h.beginTransaction();
    let ok = false;
    try {
      const r = db.transaction(() => seqs.map((seq) => h.append(assetId, seq, T0 + seq, rec(seq, T0 + seq, set, { T50: seq + 0.5, P30: -seq, Nf: seq * 2 }), seq, T0 + seq)))();
      ok = true;
      return r;
    } finally {
      h.endTransaction(ok);
    }
  }

  it('keeps every reading once, in seq order, across chunks and the tail', () => {
    const h = new ReadingHistory(db, namesOf, { chunkSize: 4 });
    expect(append(h, 7, [1, 2, 3, 4, 5, 6])).toEqual([true, true, true, true, true, true]);
    // A redelivery, a late reading between stored ones, and a duplicate of a chunked one.
    expect(append(h, 7, [6, 5, 2, 0, 9, 3])).toEqual([false, false, false, true, true, false]);
    expect(h.count(7)).toBe(8);
    expect(h.read(7, 100).map((p) => p.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 9]);
    expect(h.read(7, 3).map((p) => p.seq)).toEqual([5, 6, 9]);
    expect(h.read(7, 3, 5).map((p) => p.seq)).toEqual([2, 3, 4]);
    expect(h.read(7, 1)[0]).toEqual({ seq: 9, ts: T0 + 9, values: { T50: 9.5, P30: -9 } });
    expect(db.prepare('SELECT count(*) AS n FROM reading_chunk').get()).toEqual({ n: 2 });
  });

  it('mixes sensor sets in one chunk', () => {
    const h = new ReadingHistory(db, namesOf, { chunkSize: 3 });
    append(h, 1, [1], 1);
    append(h, 1, [2], 2);
    append(h, 1, [3], 1);
    expect(h.read(1, 10)).toEqual([
      { seq: 1, ts: T0 + 1, values: { T50: 1.5, P30: -1 } },
      { seq: 2, ts: T0 + 2, values: { T50: 2.5, P30: -2, Nf: 4 } },
      { seq: 3, ts: T0 + 3, values: { T50: 3.5, P30: -3 } },
    ]);
  });

  it('names the oldest log entry a tail still needs, and stores tails that waited too long', () => {
    const h = new ReadingHistory(db, namesOf, { chunkSize: 4 });
    append(h, 1, [10, 11]);
    append(h, 2, [12]);
    expect(h.oldestPendingLogId()).toBe(10);
    db.transaction(() => expect(h.flushStartedBefore(T0 + 10, 10)).toBe(1))();
    expect(h.oldestPendingLogId()).toBe(12);
    db.transaction(() => h.flushAll())();
    expect(h.oldestPendingLogId()).toBeUndefined();
    expect(h.chunkedLogIdsAfter(0)).toEqual(new Map([[1, 11], [2, 12]]));
  });

  it('knows counts and the newest seq after a reopen; tail readings are the caller\'s to replay', () => {
    const h = new ReadingHistory(db, namesOf, { chunkSize: 2 });
    append(h, 1, [1, 2, 3]);
    db.close();
    db = open();
    const again = new ReadingHistory(db, namesOf, { chunkSize: 2 });
    expect(again.count(1)).toBe(2);
    // The tail (seq 3) was lost with the process; the caller appends it again from its log.
    expect(append(again, 1, [2, 3])).toEqual([false, true]);
    expect(again.read(1, 10).map((p) => p.seq)).toEqual([1, 2, 3]);
  });

  it('puts its memory back when the transaction fails', () => {
    const h = new ReadingHistory(db, namesOf, { chunkSize: 2 });
    append(h, 1, [1]);
    h.beginTransaction();
    expect(() =>
      db.transaction(() => {
        h.append(1, 2, T0, rec(2, T0, 1, { T50: 1, P30: 2 }), 2, T0); // fills and stores the tail
        h.append(2, 1, T0, rec(1, T0, 1, { T50: 1, P30: 2 }), 2, T0);
        throw new Error('disk full');
      })(),
    ).toThrow('disk full');
    h.endTransaction(false);
    expect(h.count(1)).toBe(1);
    expect(h.count(2)).toBe(0);
    expect(h.oldestPendingLogId()).toBe(1);
    expect(append(h, 1, [2])).toEqual([true]);
    expect(h.read(1, 10).map((p) => p.seq)).toEqual([1, 2]);
  });

  it('prunes whole chunks by count and age, never past the chunk the caller names', () => {
    const h = new ReadingHistory(db, namesOf, { chunkSize: 2 });
    append(h, 1, [1, 2, 3, 4, 5, 6, 7]);
    const last = h.lastChunkId();
    db.transaction(() => expect(h.prune(1, 3, 0, last - 2)).toBe(2))();
    expect(h.read(1, 10).map((p) => p.seq)).toEqual([3, 4, 5, 6, 7]);
    db.transaction(() => expect(h.prune(1, 3, 0, last)).toBe(2))();
    expect(h.read(1, 10).map((p) => p.seq)).toEqual([5, 6, 7]);
    // By age: chunk (5, 6) ends before T0 + 7.
    db.transaction(() => expect(h.prune(1, 1, T0 + 7, last)).toBe(2))();
    expect(h.count(1)).toBe(1);
    db.close();
    db = open();
    expect(new ReadingHistory(db, namesOf, { chunkSize: 2 }).count(1)).toBe(0);
  });

  it('prunes an asset with more chunks than one page of the oldest', () => {
    const h = new ReadingHistory(db, namesOf, { chunkSize: 2 });
    append(h, 3, Array.from({ length: 80 }, (_, i) => i + 1));
    db.transaction(() => expect(h.prune(3, 2, 0, h.lastChunkId())).toBe(78))();
    expect(h.read(3, 100).map((p) => p.seq)).toEqual([79, 80]);
  });
});
