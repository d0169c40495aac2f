import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type BetterSqlite3 from 'better-sqlite3';
import type { NatsConnection } from 'nats';
import { NaiveIngestController } from './naive-ingest.controller';
import { NaiveTwinEntity } from './naive-twin.entity';
import { NAIVE_NATS } from './naive-ingest.tokens';

export interface NaiveIngestOptions {
  dbPath: string;
  /** Set to the twin service's setting so that both pay the same fsync per commit. */
  synchronous: 'full' | 'normal';
  nc: NatsConnection;
}

@Module({})
export class NaiveIngestModule {
  static forRoot(o: NaiveIngestOptions): DynamicModule {
    return {
      module: NaiveIngestModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: o.dbPath,
          entities: [NaiveTwinEntity],
          synchronize: true,
          enableWAL: true,
          prepareDatabase: (db: BetterSqlite3.Database) => {
            db.pragma(`synchronous = ${o.synchronous}`);
          },
        }),
        TypeOrmModule.forFeature([NaiveTwinEntity]),
      ],
      controllers: [NaiveIngestController],
      providers: [{ provide: NAIVE_NATS, useValue: o.nc }],
    };
  }
}
