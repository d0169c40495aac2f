import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Twin rows are written behind the reading log (see TwinSqliteStore): the checkpoint is the
 * reading_log id up to which every twin row holds the readings' effect. On open the store replays
 * the log after it. (The next migration, twin log and chunks, replaces the reading log.)
 */
export class TwinCheckpoint1765584000000 implements MigrationInterface {
  name = 'TwinCheckpoint1765584000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE twin_checkpoint (id integer PRIMARY KEY CHECK (id = 1), log_id integer NOT NULL)`);
    // Until this release every twin row was written with its readings: the whole log is in the rows.
    await q.query(`INSERT INTO twin_checkpoint (id, log_id) SELECT 1, coalesce(max(id), 0) FROM reading_log`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The release before reads twin rows only: readings logged after the checkpoint (a stop without
    // a flush) would be lost to it. The store of this release wrote them on its next clean stop.
    const behind = (await q.query(`SELECT count(*) AS n FROM reading_log WHERE id > (SELECT log_id FROM twin_checkpoint WHERE id = 1)`)) as Array<{ n: number }>;
    if (behind[0]?.n > 0) throw new Error(`${behind[0].n} logged readings are not yet in twin rows: start and stop this release once before migrating down`);
    await q.query(`DROP TABLE twin_checkpoint`);
  }
}
