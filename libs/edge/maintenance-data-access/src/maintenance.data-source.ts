import type BetterSqlite3 from 'better-sqlite3';
import type { DataSourceOptions } from 'typeorm';
import { AssetEpisodeEntity, OutboxEntity, ReplacementOrderEntity, ReplacementPolicyEntity } from './maintenance.entities';
import { MaintenanceSchema1764080000000 } from './migrations/1764080000000-maintenance-schema.migration';

export function maintenanceDataSourceOptions(path: string): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: path,
    entities: [ReplacementOrderEntity, OutboxEntity, ReplacementPolicyEntity, AssetEpisodeEntity],
    migrations: [MaintenanceSchema1764080000000],
    migrationsRun: true,
    synchronize: false,
    enableWAL: true,
    prepareDatabase: (db: BetterSqlite3.Database) => {
      // Orders are money: every commit reaches the disk before the supplier is called.
      db.pragma('synchronous = full');
      // A second instance on the same file waits for the lock instead of failing.
      db.pragma('busy_timeout = 10000');
    },
  };
}

