import type BetterSqlite3 from 'better-sqlite3';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Readings per chunk written by this migration (the store's own setting may differ; chunks of any size are read). */
const CHUNK = 8;

function nativeOf(q: QueryRunner): BetterSqlite3.Database {
  return (q.connection.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
}

/**
 * The twin store becomes log-structured (see TwinSqliteStore): each commit appends one row to
 * `twin_log`; twin rows and history follow in bulk, history as chunks of several readings per asset
 * (`reading_chunk`), and `twin_checkpoint` says how far the log is in them. An index entry per
 * reading made every commit dirty a page of the (asset, seq) index per reading.
 *
 * Existing history moves from `reading_log` into chunks, in the old index's order (no sort in
 * memory); `down` writes it back and, first, brings every twin row up to date from the log.
 */
export class TwinLogAndChunks1765670400000 implements MigrationInterface {
  name = 'TwinLogAndChunks1765670400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE twin_log (id integer PRIMARY KEY, body blob NOT NULL)`);
    await q.query(`CREATE TABLE reading_chunk (id integer PRIMARY KEY, asset_id integer NOT NULL, first_seq integer NOT NULL,
      last_seq integer NOT NULL, last_ts integer NOT NULL, count integer NOT NULL, max_log_id integer NOT NULL, body blob NOT NULL)`);
    await q.query(`CREATE INDEX idx_reading_chunk_asset ON reading_chunk (asset_id, last_seq)`);
    await q.query(`CREATE TABLE history_summary (asset_id integer PRIMARY KEY, count integer NOT NULL, max_seq integer NOT NULL)`);

    const db = nativeOf(q);
    const sizes = new Map<number, number>();
    for (const s of db.prepare<[], { id: number; names: string }>('SELECT id, names FROM sensor_set').iterate()) sizes.set(s.id, s.names.split(',').length);
    const record = (r: { seq: number; ts: number; sensor_set: number; vals: Buffer }): Buffer => {
      const n = sizes.get(r.sensor_set) ?? r.vals.length / 8;
      const rec = Buffer.alloc(20 + 8 * n);
      rec.writeDoubleLE(r.seq, 0);
      rec.writeDoubleLE(r.ts, 8);
      rec.writeUInt32LE(r.sensor_set, 16);
      r.vals.copy(rec, 20, 0, 8 * n);
      return rec;
    };

    // Readings the release before logged but had not yet written to twin rows (it stopped without
    // a flush): one twin_log entry, which the store applies on its first start.
    const checkpoint = (db.prepare<[], { log_id: number }>('SELECT log_id FROM twin_checkpoint WHERE id = 1').get()?.log_id ?? 0) as number;
    const pending: Buffer[] = [];
    for (const r of db.prepare<[number], { asset_id: number; seq: number; ts: number; sensor_set: number; vals: Buffer }>(
      'SELECT asset_id, seq, ts, sensor_set, vals FROM reading_log WHERE id > ? ORDER BY id',
    ).iterate(checkpoint)) {
      const head = Buffer.alloc(5);
      head.writeUInt32LE(r.asset_id, 0);
      head.writeUInt8(1, 4);
      pending.push(head, record(r));
    }
    if (pending.length > 0) db.prepare('INSERT INTO twin_log (id, body) VALUES (1, ?)').run(Buffer.concat(pending));
    const insertChunk = db.prepare('INSERT INTO reading_chunk (asset_id, first_seq, last_seq, last_ts, count, max_log_id, body) VALUES (?, ?, ?, ?, ?, 0, ?)');
    const insertSummary = db.prepare('INSERT INTO history_summary (asset_id, count, max_seq) VALUES (?, ?, ?)');
    let asset = -1;
    let parts: Buffer[] = [];
    let first = 0;
    let last = 0;
    let lastTs = 0;
    let total = 0;
    const writeChunk = () => {
      if (parts.length === 0) return;
      insertChunk.run(asset, first, last, lastTs, parts.length, Buffer.concat(parts));
      total += parts.length;
      parts = [];
    };
    const endAsset = () => {
      writeChunk();
      if (asset >= 0 && total > 0) insertSummary.run(asset, total, last);
      total = 0;
    };
    // Rows of one asset in seq order: the unique (asset_id, seq) index yields them without a sort.
    // Read in pages: the connection runs no other statement while one iterates.
    const page = db.prepare<[number, number], { asset_id: number; seq: number; ts: number; sensor_set: number; vals: Buffer }>(
      'SELECT asset_id, seq, ts, sensor_set, vals FROM reading_log INDEXED BY idx_reading_log_asset_seq WHERE (asset_id, seq) > (?, ?) ORDER BY asset_id, seq LIMIT 5000',
    );
    const pages = function* () {
      let rows = page.all(-1, -1);
      while (rows.length > 0) {
        yield* rows;
        const last = rows[rows.length - 1];
        rows = page.all(last.asset_id, last.seq);
      }
    };
    for (const r of pages()) {
      if (r.asset_id !== asset) {
        endAsset();
        asset = r.asset_id;
      }
      const rec = record(r);
      if (parts.length === 0) first = r.seq;
      last = r.seq;
      lastTs = parts.length === 0 ? r.ts : Math.max(lastTs, r.ts);
      parts.push(rec);
      if (parts.length === CHUNK) writeChunk();
    }
    endAsset();
    // Every chunk so far holds readings of the old log only (max_log_id 0).
    const chunkId = (db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM reading_chunk').get()?.id ?? 0) as number;
    await q.query(`ALTER TABLE twin_checkpoint ADD COLUMN chunk_id integer NOT NULL DEFAULT 0`);
    await q.query(`UPDATE twin_checkpoint SET log_id = 0, chunk_id = ?`, [chunkId]);
    await q.query(`DROP TABLE reading_log`);
  }

  async down(q: QueryRunner): Promise<void> {
    const db = nativeOf(q);
    const pending = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM twin_log WHERE id > (SELECT log_id FROM twin_checkpoint)').get()?.n ?? 0;
    if (pending > 0) {
      // Twin rows and history lag behind the log after a crash; the release before reads rows and
      // history only. Opening the store once (then stopping it cleanly) writes everything.
      throw new Error(`twin_log has ${pending} commits after the checkpoint: start and stop this release once (it writes them) before migrating down`);
    }
    await q.query(`CREATE TABLE reading_log (id integer PRIMARY KEY, asset_id integer NOT NULL, seq integer NOT NULL,
      ts integer NOT NULL, sensor_set integer NOT NULL, vals blob NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX idx_reading_log_asset_seq ON reading_log (asset_id, seq)`);
    const sizes = new Map<number, number>();
    for (const s of db.prepare<[], { id: number; names: string }>('SELECT id, names FROM sensor_set').iterate()) sizes.set(s.id, s.names.split(',').length);
    const insert = db.prepare('INSERT OR IGNORE INTO reading_log (asset_id, seq, ts, sensor_set, vals) VALUES (?, ?, ?, ?, ?)');
    const chunks = db.prepare<[number], { id: number; asset_id: number; body: Buffer }>('SELECT id, asset_id, body FROM reading_chunk WHERE id > ? ORDER BY id LIMIT 1000');
    const all = function* () {
      for (let rows = chunks.all(0); rows.length > 0; rows = chunks.all(rows[rows.length - 1].id)) yield* rows;
    };
    for (const c of all()) {
      for (let o = 0; o < c.body.length; ) {
        const set = c.body.readUInt32LE(o + 16);
        const n = sizes.get(set);
        if (n === undefined) throw new Error(`a history chunk of asset ${c.asset_id} names unknown sensor set ${set}`);
        insert.run(c.asset_id, c.body.readDoubleLE(o), c.body.readDoubleLE(o + 8), set, c.body.subarray(o + 20, o + 20 + 8 * n));
        o += 20 + 8 * n;
      }
    }
    // Everything is in the rows and history again; the release before counts reading_log ids.
    await q.query(`UPDATE twin_checkpoint SET log_id = coalesce((SELECT max(id) FROM reading_log), 0)`);
    await q.query(`ALTER TABLE twin_checkpoint DROP COLUMN chunk_id`);
    // The release before keeps each twin's history count in its row.
    await q.query(`UPDATE asset_twin SET history_count = coalesce((SELECT s.count FROM history_summary s JOIN asset_key k ON k.id = s.asset_id
      WHERE k.site = asset_twin.site AND k.asset = asset_twin.asset), 0)`);
    for (const t of ['history_summary', 'reading_chunk', 'twin_log']) await q.query(`DROP TABLE ${t}`);
  }
}
