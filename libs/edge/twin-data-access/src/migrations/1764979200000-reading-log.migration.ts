import type { MigrationInterface, QueryRunner } from 'typeorm';
import { decodeReported } from '../reported.codec';

/**
 * History moves from rows clustered by (site, asset, seq) to an append-ordered log keyed by a small
 * asset id (see ReadingLogEntity for why), and reported state becomes a blob (reported.codec.ts).
 * Existing history is carried over; `down` turns blobs back into the JSON text the release before reads.
 */
export class ReadingLog1764979200000 implements MigrationInterface {
  name = 'ReadingLog1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE asset_key (id integer PRIMARY KEY, site text NOT NULL, asset text NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX idx_asset_key_name ON asset_key (site, asset)`);
    await q.query(`CREATE TABLE reading_log (id integer PRIMARY KEY, asset_id integer NOT NULL, seq integer NOT NULL,
      ts integer NOT NULL, sensor_set integer NOT NULL, vals blob NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX idx_reading_log_asset_seq ON reading_log (asset_id, seq)`);
    await q.query(`INSERT INTO asset_key (site, asset)
      SELECT site, asset FROM asset_twin UNION SELECT DISTINCT site, asset FROM reading_history ORDER BY 1, 2`);
    // In the old table's key order, which its scan yields without a sort: ordering by time would sort
    // the whole history in memory (temp_store = memory) and could exceed a small pod's limit.
    await q.query(`INSERT INTO reading_log (asset_id, seq, ts, sensor_set, vals)
      SELECT k.id, h.seq, h.ts, h.sensor_set, h.vals FROM reading_history h JOIN asset_key k ON k.site = h.site AND k.asset = h.asset`);
    await q.query(`DROP TABLE reading_history`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The release before this one reads reported state as JSON text only: blobs written since go back.
    const names = new Map<number, string[]>();
    for (const s of (await q.query(`SELECT id, names FROM sensor_set`)) as Array<{ id: number; names: string }>) names.set(s.id, s.names.split(','));
    const sets = { idOf: (): number => 0, namesOf: (id: number) => names.get(id) };
    const blobs = (await q.query(`SELECT site, asset, reported FROM asset_twin WHERE typeof(reported) = 'blob'`)) as Array<{ site: string; asset: string; reported: Buffer }>;
    for (const row of blobs) {
      const reported = decodeReported(row.reported, sets);
      const json = JSON.stringify(Object.fromEntries(Object.entries(reported).map(([name, r]) => [name, [r.v, r.ts, r.seq]])));
      await q.query(`UPDATE asset_twin SET reported = ? WHERE site = ? AND asset = ?`, [json, row.site, row.asset]);
    }
    await q.query(`CREATE TABLE reading_history (
      site text NOT NULL, asset text NOT NULL, seq integer NOT NULL, ts integer NOT NULL,
      sensor_set integer NOT NULL, vals blob NOT NULL,
      PRIMARY KEY (site, asset, seq)) WITHOUT ROWID`);
    await q.query(`INSERT INTO reading_history (site, asset, seq, ts, sensor_set, vals)
      SELECT k.site, k.asset, l.seq, l.ts, l.sensor_set, l.vals FROM reading_log l JOIN asset_key k ON k.id = l.asset_id`);
    await q.query(`DROP TABLE reading_log`);
    await q.query(`DROP TABLE asset_key`);
  }
}
