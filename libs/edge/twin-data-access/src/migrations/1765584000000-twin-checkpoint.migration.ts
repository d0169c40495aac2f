import type BetterSqlite3 from 'better-sqlite3';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TwinSqliteStore } from '../twin.sqlite-store';

/**
 * Twin rows are written behind the reading log (see TwinSqliteStore): the checkpoint is the
 * reading_log id up to which every twin row holds the readings' effect. On open the store replays
 * the log after it.
 */
export class TwinCheckpoint1765584000000 implements MigrationInterface {
  name = 'TwinCheckpoint1765584000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE twin_checkpoint (id integer PRIMARY KEY CHECK (id = 1), log_id integer NOT NULL)`);
    // Until this release every twin row was written with its readings: the whole log is in the rows.
    await q.query(`INSERT INTO twin_checkpoint (id, log_id) SELECT 1, coalesce(max(id), 0) FROM reading_log`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The release before reads twin rows only, so the readings after the checkpoint (left by a crash)
    // must be in them first: opening the store replays them. It runs in the migration's transaction
    // (better-sqlite3 nests its own as a savepoint).
    const db = (q.connection.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
    new TwinSqliteStore(db, { cacheSize: 1 });
    await q.query(`DROP TABLE twin_checkpoint`);
  }
}
