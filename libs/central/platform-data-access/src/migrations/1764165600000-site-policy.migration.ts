import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Replacement policies set centrally per site and asset class. */
export class SitePolicy1764165600000 implements MigrationInterface {
  name = 'SitePolicy1764165600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'site_policy',
        columns: [
          { name: 'site', type: 'varchar', length: '64', isPrimary: true },
          { name: 'asset_class', type: 'varchar', length: '64', isPrimary: true },
          { name: 'policy', type: 'text' },
          { name: 'version', type: 'bigint' },
          { name: 'published_version', type: 'bigint', default: 0 },
          { name: 'updated_at', type: 'bigint' },
          { name: 'updated_by', type: 'varchar', length: '100' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('site_policy');
  }
}
