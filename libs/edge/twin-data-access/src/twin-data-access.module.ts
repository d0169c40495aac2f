import { Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { nativeConnection, twinDataSourceOptions, type TwinDatabaseOptions } from './sqlite.data-source';
import { TwinSqliteStore } from './twin.sqlite-store';
import { TwinChangeFeed } from './twin-change.feed';

export interface TwinDataAccessOptions extends TwinDatabaseOptions {
  cacheSize: number;
  /** How long a changed twin's row may lag behind it (the twin log holds the change meanwhile). */
  flushDelayMs?: number;
}

/** Provides the TwinSqliteStore over a migrated SQLite database; import once, in the app module. */
@Module({})
export class TwinDataAccessModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(TwinDataAccessModule.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly store: TwinSqliteStore) {}

  static forRoot(o: TwinDataAccessOptions): DynamicModule {
    return {
      module: TwinDataAccessModule,
      // One SQLite writer per process: every feature module shares this store.
      global: true,
      // Named: the all-in-one process hosts the twin and maintenance databases side by side.
      imports: [TypeOrmModule.forRoot({ ...twinDataSourceOptions(o), name: 'twin' })],
      providers: [
        {
          provide: TwinSqliteStore,
          inject: [getDataSourceToken('twin')],
          useFactory: (ds: DataSource) => new TwinSqliteStore(nativeConnection(ds), { cacheSize: o.cacheSize, flushDelayMs: o.flushDelayMs }),
        },
        TwinChangeFeed,
      ],
      exports: [TwinSqliteStore, TwinChangeFeed],
    };
  }

  /** Commits write behind what is due; when none comes along (no telemetry), this does, each second. */
  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      try {
        this.store.flushDue();
      } catch (e) {
        this.log.error(`writing dirty twins and history behind failed (the twin log keeps them): ${(e as Error).message}`);
      }
    }, 1000);
    this.timer.unref();
  }

  /**
   * Writes the dirty twins while the database is still open. Not in onApplicationShutdown: global
   * modules shut down last and in reverse order of registration, so TypeORM's, which closes the data
   * source there, would come before this one. Ingest may still commit after this; the telemetry
   * ingest flushes again once its consumer has stopped, and whatever is left is replayed from the
   * twin log on the next start.
   */
  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
    try {
      const n = this.store.flush();
      if (n > 0) this.log.log(`wrote ${n} dirty twins before shutdown`);
    } catch (e) {
      this.log.error(`dirty twins not written before shutdown (the twin log replays them on start): ${(e as Error).message}`);
    }
  }
}
