import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { PLATFORM_ENTITIES } from './platform.entities';
import { PlatformSchema1764158400000 } from './migrations/1764158400000-platform-schema.migration';
import { SitePolicy1764165600000 } from './migrations/1764165600000-site-policy.migration';
import { ModelRelease1764172800000 } from './migrations/1764172800000-model-release.migration';

export interface PlatformDatabaseOptions {
  /** `postgres://…` selects PostgreSQL; empty selects the SQLite file at `sqlitePath`. */
  databaseUrl: string;
  sqlitePath: string;
}

export const PLATFORM_MIGRATIONS = [PlatformSchema1764158400000, SitePolicy1764165600000, ModelRelease1764172800000];

/** The same entities and migrations on either database; which one is a deployment choice. */
export function platformDataSourceOptions(o: PlatformDatabaseOptions): DataSourceOptions {
  const common = { entities: PLATFORM_ENTITIES, migrations: PLATFORM_MIGRATIONS, migrationsRun: true, synchronize: false } as const;
  if (o.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(o.databaseUrl)) throw new Error('DATABASE_URL must be a postgres:// URL');
    return { type: 'postgres', url: o.databaseUrl, ...common, extra: { max: 10 } };
  }
  if (o.sqlitePath !== ':memory:') mkdirSync(dirname(o.sqlitePath), { recursive: true });
  return {
    type: 'better-sqlite3',
    database: o.sqlitePath,
    ...common,
    enableWAL: true,
    prepareDatabase: (db: BetterSqlite3.Database) => {
      db.pragma('synchronous = full');
      db.pragma('busy_timeout = 5000');
    },
  };
}

export async function openPlatformDatabase(o: PlatformDatabaseOptions): Promise<DataSource> {
  return new DataSource(platformDataSourceOptions(o)).initialize();
}
