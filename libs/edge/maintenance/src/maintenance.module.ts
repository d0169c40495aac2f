import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { MaintenanceSqliteStore, maintenanceDataSourceOptions } from '@millwright/maintenance-data-access';
import { ApiErrorFilter } from '@millwright/observability';
import { DataSource } from 'typeorm';
import type BetterSqlite3 from 'better-sqlite3';
import { OrderActionsService } from './order-actions.service';
import { OrdersHttpController } from './orders.http.controller';
import { OUTBOX_RELAY_OPTIONS, OutboxRelay, type OutboxRelayOptions } from './outbox.relay';
import { PREDICTION_FOLLOWER_OPTIONS, PredictionFollower, type PredictionFollowerOptions } from './prediction.follower';
import { POLICIES_FILE, PolicySeeder } from './policy.seeder';
import { POLICY_DOWNLINK_OPTIONS, PolicyDownlinkFollower, type PolicyDownlinkOptions } from './policy-downlink.follower';

export interface MaintenanceModuleOptions {
  databasePath: string;
  relay: OutboxRelayOptions;
  follower: PredictionFollowerOptions;
  /** JSON array of policies loaded at start when their asset class has none yet ('' for none). */
  policiesFile: string;
  /** Central policies down the uplink. */
  downlink: PolicyDownlinkOptions;
}

/**
 * The maintenance service: predictions to orders, the outbox relay, staff actions and policies.
 * Needs the SupplierClient (ProcurementModule), NATS and observability from the app.
 */
@Module({})
export class MaintenanceModule {
  static forRoot(o: MaintenanceModuleOptions): DynamicModule {
    return {
      module: MaintenanceModule,
      // Named: the all-in-one process hosts the twin and maintenance databases side by side.
      imports: [TypeOrmModule.forRoot({ ...maintenanceDataSourceOptions(o.databasePath), name: 'maintenance' })],
      controllers: [OrdersHttpController],
      providers: [
        {
          provide: MaintenanceSqliteStore,
          inject: [getDataSourceToken('maintenance')],
          useFactory: (ds: DataSource) => new MaintenanceSqliteStore((ds.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection),
        },
        { provide: OUTBOX_RELAY_OPTIONS, useValue: o.relay },
        { provide: PREDICTION_FOLLOWER_OPTIONS, useValue: o.follower },
        { provide: POLICIES_FILE, useValue: o.policiesFile },
        PolicySeeder,
        { provide: POLICY_DOWNLINK_OPTIONS, useValue: o.downlink },
        PolicyDownlinkFollower,
        OrderActionsService,
        OutboxRelay,
        PredictionFollower,
        { provide: APP_FILTER, useClass: ApiErrorFilter },
      ],
      exports: [MaintenanceSqliteStore],
    };
  }
}
