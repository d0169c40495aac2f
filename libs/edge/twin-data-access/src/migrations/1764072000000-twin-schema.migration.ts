import type { MigrationInterface, QueryRunner } from 'typeorm';

/** First schema of the edge twin store. */
export class TwinSchema1764072000000 implements MigrationInterface {
  name = 'TwinSchema1764072000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE asset_twin (
      site text NOT NULL, asset text NOT NULL, asset_class text,
      reported text NOT NULL DEFAULT '{}', desired text NOT NULL DEFAULT '{}', derived text NOT NULL DEFAULT '{}',
      version integer NOT NULL DEFAULT 0, last_seq integer NOT NULL DEFAULT -1, last_seen_at integer,
      history_count integer NOT NULL DEFAULT 0, created_at integer NOT NULL, updated_at integer NOT NULL,
      PRIMARY KEY (site, asset))`);
    await q.query(`CREATE INDEX idx_asset_twin_class ON asset_twin (asset_class, site, asset)`);
    await q.query(`CREATE TABLE reading_history (
      site text NOT NULL, asset text NOT NULL, seq integer NOT NULL, ts integer NOT NULL,
      sensor_set integer NOT NULL, vals blob NOT NULL,
      PRIMARY KEY (site, asset, seq)) WITHOUT ROWID`);
    await q.query(`CREATE TABLE sensor_set (id integer PRIMARY KEY, names text NOT NULL UNIQUE)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sensor_set`);
    await q.query(`DROP TABLE reading_history`);
    await q.query(`DROP TABLE asset_twin`);
  }
}
