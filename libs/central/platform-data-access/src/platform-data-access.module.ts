import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { platformDataSourceOptions, type PlatformDatabaseOptions } from './platform.data-source';
import { PlatformStore } from './platform.store';

/** Opens and migrates the platform database (SQLite or PostgreSQL) at start; import once, in the app module. */
@Module({})
export class PlatformDataAccessModule {
  static forRoot(o: PlatformDatabaseOptions): DynamicModule {
    return {
      module: PlatformDataAccessModule,
      global: true,
      imports: [TypeOrmModule.forRoot({ ...platformDataSourceOptions(o), retryAttempts: 3, retryDelay: 1000 })],
      providers: [{ provide: PlatformStore, inject: [DataSource], useFactory: (ds: DataSource) => new PlatformStore(ds) }],
      exports: [PlatformStore],
    };
  }
}
