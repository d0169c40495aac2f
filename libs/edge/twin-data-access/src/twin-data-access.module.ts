import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { nativeConnection, twinDataSourceOptions, type TwinDatabaseOptions } from './sqlite.data-source';
import { TwinSqliteStore } from './twin.sqlite-store';
import { TwinChangeFeed } from './twin-change.feed';

export interface TwinDataAccessOptions extends TwinDatabaseOptions {
  cacheSize: number;
}

/** Provides the TwinSqliteStore over a migrated SQLite database; import once, in the app module. */
@Module({})
export class TwinDataAccessModule {
  static forRoot(o: TwinDataAccessOptions): DynamicModule {
    return {
      module: TwinDataAccessModule,
      // One SQLite writer per process: every feature module shares this store.
      global: true,
      // Named: the all-in-one process hosts the twin and maintenance databases side by side.
      imports: [TypeOrmModule.forRoot({ ...twinDataSourceOptions(o), name: 'twin' })],
      providers: [{ provide: TwinSqliteStore, inject: [getDataSourceToken('twin')], useFactory: (ds: DataSource) => new TwinSqliteStore(nativeConnection(ds), { cacheSize: o.cacheSize }) }, TwinChangeFeed],
      exports: [TwinSqliteStore, TwinChangeFeed],
    };
  }
}
