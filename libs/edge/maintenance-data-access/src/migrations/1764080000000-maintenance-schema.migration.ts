import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MaintenanceSchema1764080000000 implements MigrationInterface {
  name = 'MaintenanceSchema1764080000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE replacement_order (
      id text PRIMARY KEY, site text NOT NULL, asset text NOT NULL, asset_class text NOT NULL, part_number text NOT NULL,
      supplier text NOT NULL, quantity integer NOT NULL, unit_cost real NOT NULL, currency text NOT NULL, episode integer NOT NULL,
      state text NOT NULL, is_open integer NOT NULL, needed_by integer NOT NULL, supplier_order_id text, audit text NOT NULL,
      created_at integer NOT NULL, updated_at integer NOT NULL)`);
    // The rule "at most one open order per asset, part and failure episode" lives in the database, so
    // that restarts, redeliveries and a second instance on the same file cannot break it.
    await q.query(`CREATE UNIQUE INDEX uq_open_order ON replacement_order (site, asset, part_number, episode) WHERE is_open = 1`);
    await q.query(`CREATE INDEX idx_order_state ON replacement_order (state, updated_at)`);
    await q.query(`CREATE INDEX idx_order_asset ON replacement_order (site, asset)`);
    await q.query(`CREATE TABLE outbox (
      id integer PRIMARY KEY AUTOINCREMENT, kind text NOT NULL, order_id text NOT NULL, payload text NOT NULL,
      attempts integer NOT NULL DEFAULT 0, next_attempt_at integer NOT NULL, claimed_until integer NOT NULL DEFAULT 0, last_error text)`);
    await q.query(`CREATE INDEX idx_outbox_due ON outbox (next_attempt_at)`);
    await q.query(`CREATE TABLE replacement_policy (asset_class text PRIMARY KEY, policy text NOT NULL, version integer NOT NULL, updated_at integer NOT NULL)`);
    await q.query(`CREATE TABLE asset_episode (site text NOT NULL, asset text NOT NULL, part_number text NOT NULL, episode integer NOT NULL, PRIMARY KEY (site, asset, part_number))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['asset_episode', 'replacement_policy', 'outbox', 'replacement_order']) await q.query(`DROP TABLE ${t}`);
  }
}
