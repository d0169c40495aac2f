import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Staged model releases and their state per site. */
export class ModelRelease1764172800000 implements MigrationInterface {
  name = 'ModelRelease1764172800000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'model_release',
        columns: [
          { name: 'version', type: 'varchar', length: '128', isPrimary: true },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'stages', type: 'text' },
          { name: 'shadow_ms', type: 'bigint' },
          { name: 'max_disagreement', type: 'double precision' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'current_stage', type: 'integer' },
          { name: 'halt_reason', type: 'text', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'model_release_site',
        columns: [
          { name: 'version', type: 'varchar', length: '128', isPrimary: true },
          { name: 'site', type: 'varchar', length: '64', isPrimary: true },
          { name: 'stage', type: 'integer' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'code', type: 'varchar', length: '64', isNullable: true },
          { name: 'reason', type: 'text', isNullable: true },
          { name: 'stats', type: 'text', isNullable: true },
          { name: 'active_version', type: 'varchar', length: '128', isNullable: true },
          { name: 'sent_at', type: 'bigint', isNullable: true },
          { name: 'reported_at', type: 'bigint', isNullable: true },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await q.createIndex('model_release_site', new TableIndex({ name: 'idx_model_release_site_owed', columnNames: ['state', 'sent_at'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('model_release_site');
    await q.dropTable('model_release');
  }
}
