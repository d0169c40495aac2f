import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * History moves from rows clustered by (site, asset, seq) to an append-ordered log keyed by a small
 * asset id (see ReadingLogEntity for why). Existing history is carried over in time order.
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
    await q.query(`INSERT INTO reading_log (asset_id, seq, ts, sensor_set, vals)
      SELECT k.id, h.seq, h.ts, h.sensor_set, h.vals FROM reading_history h JOIN asset_key k ON k.site = h.site AND k.asset = h.asset
      ORDER BY h.ts, k.id, h.seq`);
    await q.query(`DROP TABLE reading_history`);
  }

  async down(q: QueryRunner): Promise<void> {
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
