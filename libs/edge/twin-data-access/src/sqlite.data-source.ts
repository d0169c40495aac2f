import type BetterSqlite3 from 'better-sqlite3';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AssetTwinEntity } from './asset-twin.entity';
import { AssetKeyEntity, HistorySummaryEntity, ReadingChunkEntity, SensorSetEntity, TwinLogEntity } from './twin-store.entities';
import { TwinSchema1764072000000 } from './migrations/1764072000000-twin-schema.migration';
import { DesiredSync1764158400000 } from './migrations/1764158400000-desired-sync.migration';
import { ReadingLog1764979200000 } from './migrations/1764979200000-reading-log.migration';
import { TwinCheckpoint1765584000000 } from './migrations/1765584000000-twin-checkpoint.migration';
import { TwinLogAndChunks1765670400000 } from './migrations/1765670400000-twin-log-and-chunks.migration';
import { DesiredSyncEntity } from './desired-sync.entity';
import { TwinCheckpointEntity } from './twin-checkpoint.entity';

export type SqliteSynchronous = 'off' | 'normal' | 'full';

export interface TwinDatabaseOptions {
  /** Path of the SQLite file (its folder must exist); `:memory:` for throwaway stores. */
  path: string;
  /**
   * `full` fsyncs the WAL at every commit: a committed batch survives a power cut, which is what
   * lets the ingest ack JetStream only after commit. `normal` survives process crashes only.
   */
  synchronous: SqliteSynchronous;
  /** SQLite page cache (MiB). The hot set is the twin rows and the (asset, seq) index; 8 MiB holds it for 10,000 assets. */
  cacheMb?: number;
}

export const TWIN_ENTITIES = [AssetTwinEntity, AssetKeyEntity, ReadingChunkEntity, HistorySummaryEntity, TwinLogEntity, SensorSetEntity, DesiredSyncEntity, TwinCheckpointEntity];
export const TWIN_MIGRATIONS = [TwinSchema1764072000000, DesiredSync1764158400000, ReadingLog1764979200000, TwinCheckpoint1765584000000, TwinLogAndChunks1765670400000];

export function twinDataSourceOptions(o: TwinDatabaseOptions): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: o.path,
    entities: TWIN_ENTITIES,
    migrations: TWIN_MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    enableWAL: true,
    prepareDatabase: (db: BetterSqlite3.Database) => {
      db.pragma(`synchronous = ${o.synchronous}`);
      db.pragma('busy_timeout = 5000');
      db.pragma('temp_store = memory');
      // Bounded page cache (negative = KiB): memory stays flat as the fleet grows.
      db.pragma(`cache_size = -${Math.round((o.cacheMb ?? 8) * 1024)}`);
    },
  };
}

/** Opens (and migrates) a twin database outside Nest, for tools and tests. */
export async function openTwinDatabase(o: TwinDatabaseOptions): Promise<{ dataSource: DataSource; db: BetterSqlite3.Database }> {
  const dataSource = await new DataSource(twinDataSourceOptions(o)).initialize();
  return { dataSource, db: nativeConnection(dataSource) };
}

/** The better-sqlite3 handle under a TypeORM data source, for batched statements on hot paths. */
export function nativeConnection(ds: DataSource): BetterSqlite3.Database {
  return (ds.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
}
