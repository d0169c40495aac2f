import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Central desired documents merged at the edge (issue 5: desired state down the uplink). */
export class DesiredSync1764158400000 implements MigrationInterface {
  name = 'DesiredSync1764158400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE desired_sync (site text NOT NULL, asset text NOT NULL, base text NOT NULL DEFAULT '{}',
      base_version integer NOT NULL DEFAULT 0, PRIMARY KEY (site, asset))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE desired_sync`);
  }
}
