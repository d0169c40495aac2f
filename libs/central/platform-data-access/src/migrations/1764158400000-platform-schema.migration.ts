import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const col = (name: string, type: string, extra: Record<string, unknown> = {}) => ({ name, type, ...extra });

/**
 * First schema of the asset platform, written with TypeORM's schema builder rather than SQL so that
 * the one migration runs on SQLite and on PostgreSQL alike.
 */
export class PlatformSchema1764158400000 implements MigrationInterface {
  name = 'PlatformSchema1764158400000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'site',
        columns: [
          col('id', 'varchar', { length: '64', isPrimary: true }),
          col('domain', 'varchar', { length: '64' }),
          col('registered_at', 'bigint'),
          col('applied_outbox_seq', 'bigint', { default: 0 }),
          col('last_health', 'text', { isNullable: true }),
          col('last_health_at', 'bigint', { isNullable: true }),
          col('last_synced_at', 'bigint', { isNullable: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'central_twin',
        columns: [
          col('site', 'varchar', { length: '64', isPrimary: true }),
          col('asset', 'varchar', { length: '64', isPrimary: true }),
          col('asset_class', 'varchar', { length: '64', isNullable: true }),
          col('version', 'bigint', { default: 0 }),
          col('last_seq', 'bigint', { default: -1 }),
          col('reported', 'text'),
          col('derived', 'text'),
          col('metadata', 'text'),
          col('desired', 'text'),
          col('desired_version', 'bigint', { default: 0 }),
          col('desired_published_version', 'bigint', { default: 0 }),
          col('health', 'varchar', { length: '16', isNullable: true }),
          col('rul', 'double precision', { isNullable: true }),
          col('failure_risk', 'double precision', { isNullable: true }),
          col('model_version', 'varchar', { length: '64', isNullable: true }),
          col('last_seen_at', 'bigint', { isNullable: true }),
          col('updated_at', 'bigint'),
        ],
        indices: [
          new TableIndex({ name: 'idx_central_twin_health', columnNames: ['health', 'site', 'asset'] }),
          new TableIndex({ name: 'idx_central_twin_rul', columnNames: ['rul'] }),
          new TableIndex({ name: 'idx_central_twin_last_seen', columnNames: ['last_seen_at'] }),
          new TableIndex({ name: 'idx_central_twin_class', columnNames: ['asset_class', 'site', 'asset'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'desired_conflict',
        columns: [
          col('id', 'varchar', { length: '400', isPrimary: true }),
          col('site', 'varchar', { length: '64' }),
          col('asset', 'varchar', { length: '64' }),
          col('field', 'varchar', { length: '200' }),
          col('base', 'text'),
          col('edge', 'text'),
          col('central', 'text'),
          col('kept', 'varchar', { length: '16' }),
          col('central_version', 'bigint'),
          col('at', 'bigint'),
        ],
        indices: [new TableIndex({ name: 'idx_desired_conflict_asset', columnNames: ['site', 'asset'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'site_order',
        columns: [
          col('order_id', 'varchar', { length: '100', isPrimary: true }),
          col('site', 'varchar', { length: '64' }),
          col('asset', 'varchar', { length: '64' }),
          col('part_number', 'varchar', { length: '100' }),
          col('state', 'varchar', { length: '32' }),
          col('step', 'integer'),
          col('supplier_order_id', 'varchar', { length: '100', isNullable: true }),
          col('updated_at', 'bigint'),
          col('last_event', 'text'),
        ],
        indices: [new TableIndex({ name: 'idx_site_order_site', columnNames: ['site', 'state'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['site_order', 'desired_conflict', 'central_twin', 'site']) await q.dropTable(t);
  }
}
