import type BetterSqlite3 from 'better-sqlite3';
import { readRecord, readValues, recordBytes, viewOf, writeRecord } from './reading-record.codec';

/**
 * The twin store's write-ahead log: one row per commit, holding what the commit changed in a
 * compact binary form. Twin rows and history chunks are written later and in bulk; until they are,
 * this log is what makes the commit durable, and after a crash its entries from the checkpoint on
 * are applied again (TwinSqliteStore's recovery).
 *
 * Entry layout (little-endian), repeated:
 *   asset id u32 | kind u8 | payload
 *   kind 1, reading:  a reading record (reading-record.codec.ts)
 *   kind 2, derived:  twin version after it f64 | byte length u32 | UTF-8 JSON of the derived fields it set
 */
export const enum TwinLogKind {
  Reading = 1,
  Derived = 2,
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A reading read back from a log entry being built (`TwinLogWriter.readingAt`). */
export interface LoggedReading {
  seq: number;
  ts: number;
  /** The sensor names, in the order of `values`; the same array for every reading of a sensor set. */
  names: readonly string[];
  /** One little-endian float64 per name. */
  values: Uint8Array;
}

/** Builds one commit's log entry; the buffer grows as needed and is reused across commits. */
export class TwinLogWriter {
  private buf = new Uint8Array(64 * 1024);
  private view = viewOf(this.buf);
  private used = 0;

  get length(): number {
    return this.used;
  }

  reset(): void {
    this.used = 0;
  }

  /** Returns the reading's record: a view of the writer's memory, valid until the next add or reset. */
  addReading(assetId: number, seq: number, ts: number, setId: number, names: readonly string[], values: Readonly<Record<string, number>>): Uint8Array {
    this.reserve(5 + recordBytes(names.length));
    this.view.setUint32(this.used, assetId, true);
    this.buf[this.used + 4] = TwinLogKind.Reading;
    const start = this.used + 5;
    this.used = writeRecord(this.view, start, seq, ts, setId, names, values);
    return this.buf.subarray(start, this.used);
  }

  addDerived(assetId: number, version: number, derivedJson: string): void {
    // Encoded in place (at most 3 bytes per UTF-16 unit): no encoded copy per prediction.
    this.reserve(5 + 12 + 3 * derivedJson.length);
    const o = this.used;
    this.view.setUint32(o, assetId, true);
    this.buf[o + 4] = TwinLogKind.Derived;
    this.view.setFloat64(o + 5, version, true);
    const { written } = utf8.encodeInto(derivedJson, this.buf.subarray(o + 17));
    this.view.setUint32(o + 13, written, true);
    this.used = o + 17 + written;
  }

  /**
   * The reading whose record starts at `at` (the writer's length before `addReading` plus 5), its
   * values a view of the writer's memory: valid until the next reset.
   */
  readingAt(at: number, namesOf: (setId: number) => readonly string[] | undefined): LoggedReading {
    const r = readRecord(this.view, at, namesOf);
    return { seq: r.seq, ts: r.ts, names: r.names, values: this.buf.subarray(r.valuesAt, r.end) };
  }

  /** The entry as a Buffer over the writer's memory: valid until the next add or reset. */
  bytes(): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.used);
  }

  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.used + n));
    next.set(this.buf.subarray(0, this.used));
    this.buf = next;
    this.view = viewOf(next);
  }
}

export type TwinLogEntry =
  | { kind: TwinLogKind.Reading; assetId: number; seq: number; ts: number; values: Record<string, number>; record: Uint8Array }
  | { kind: TwinLogKind.Derived; assetId: number; version: number; derived: Record<string, unknown> };

/**
 * Reads one commit's log entry in order; with `wanted`, entries of other assets are stepped over
 * without decoding their values or JSON.
 */
export function* readTwinLog(body: Uint8Array, namesOf: (setId: number) => readonly string[] | undefined, wanted?: (assetId: number) => boolean): Generator<TwinLogEntry> {
  const view = viewOf(body);
  for (let o = 0; o < body.length; ) {
    const assetId = view.getUint32(o, true);
    const kind = body[o + 4];
    o += 5;
    const skip = wanted !== undefined && !wanted(assetId);
    if (kind === TwinLogKind.Reading) {
      const r = readRecord(view, o, namesOf);
      if (!skip) yield { kind, assetId, seq: r.seq, ts: r.ts, values: readValues(view, r), record: body.subarray(o, r.end) };
      o = r.end;
    } else if (kind === TwinLogKind.Derived) {
      const version = view.getFloat64(o, true);
      const n = view.getUint32(o + 8, true);
      const at = o + 12;
      o = at + n;
      if (skip) continue;
      const derived = JSON.parse(utf8Decoder.decode(body.subarray(at, at + n))) as Record<string, unknown>;
      yield { kind, assetId, version, derived };
    } else {
      throw new Error(`twin log entry of unknown kind ${kind} at byte ${o - 5}`);
    }
  }
}

/** The log table: appended to by every commit, read from the checkpoint on at start, trimmed behind it. */
export class TwinLog {
  private lastId: number;
  private readonly stmt;

  /** `checkpoint`: ids at or below it were used before the log was trimmed, and are never handed out again. */
  constructor(db: BetterSqlite3.Database, checkpoint: number) {
    this.stmt = {
      insert: db.prepare('INSERT INTO twin_log (id, body) VALUES (?, ?)'),
      idsAfter: db.prepare<[number], { id: number }>('SELECT id FROM twin_log WHERE id > ? ORDER BY id'),
      body: db.prepare<[number], { body: Buffer }>('SELECT body FROM twin_log WHERE id = ?'),
      trim: db.prepare('DELETE FROM twin_log WHERE id <= ?'),
    };
    this.lastId = Math.max(checkpoint, db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM twin_log').get()?.id ?? 0);
  }

  /** The id the next append will get: callers tag what they keep in memory with it before appending. */
  get nextId(): number {
    return this.lastId + 1;
  }

  get newestId(): number {
    return this.lastId;
  }

  /** Inside the caller's transaction; `rolledBack` must be called if that transaction fails. */
  append(body: Uint8Array): number {
    const id = this.lastId + 1;
    this.stmt.insert.run(id, body);
    this.lastId = id;
    return id;
  }

  rolledBack(lastId: number): void {
    this.lastId = lastId;
  }

  /**
   * Entries after `id`, oldest first, one body in memory at a time. Not one iterating statement: the
   * caller runs other statements between entries, which SQLite's connection refuses mid-iteration.
   */
  *after(id: number): Generator<{ id: number; body: Buffer }> {
    for (const { id: next } of this.stmt.idsAfter.all(id)) yield { id: next, body: this.stmt.body.get(next)!.body };
  }

  trim(upTo: number): number {
    return this.stmt.trim.run(upTo).changes;
  }
}
