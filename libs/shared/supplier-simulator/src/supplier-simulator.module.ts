import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FaultInjector } from './fault.injector';
import { HeldConnections } from './held-connections.registry';
import { SupplierErrorFilter } from './supplier-error.filter';
import { SupplierFaultsHttpController } from './supplier-faults.http.controller';
import { SupplierOrderStore } from './supplier-order.store';
import { SupplierOrdersHttpController } from './supplier-orders.http.controller';
import type { SupplierSimulatorOptions } from './supplier-simulator.options';
import { SupplierStatsCounter } from './supplier-stats.counter';

const THREE_DAYS_MS = 3 * 86_400_000;

/** A supplier's ERP order API with an in-memory (optionally file-backed) order book and fault injection. */
@Module({})
export class SupplierSimulatorModule {
  static forRoot(o: SupplierSimulatorOptions = {}): DynamicModule {
    return {
      module: SupplierSimulatorModule,
      controllers: [SupplierOrdersHttpController, SupplierFaultsHttpController],
      providers: [
        { provide: SupplierOrderStore, useFactory: () => new SupplierOrderStore({ stateFile: o.stateFile, leadTimeMs: o.leadTimeMs ?? THREE_DAYS_MS, now: o.now }) },
        { provide: FaultInjector, useFactory: () => new FaultInjector(o.faults, o.seed) },
        { provide: HeldConnections, useFactory: () => new HeldConnections(o.maxHoldMs ?? 300_000) },
        SupplierStatsCounter,
        { provide: APP_FILTER, useClass: SupplierErrorFilter },
      ],
      exports: [SupplierOrderStore, FaultInjector, SupplierStatsCounter],
    };
  }
}
