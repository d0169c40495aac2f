import { Module, type DynamicModule } from '@nestjs/common';
import { SupplierClient } from './supplier.client';
import type { SupplierClientOptions } from './supplier-client.options';

/** Provides the `SupplierClient`; one per app, so all orders share one circuit breaker per supplier. */
@Module({})
export class ProcurementModule {
  static forRoot(options: SupplierClientOptions): DynamicModule {
    return {
      module: ProcurementModule,
      global: true,
      providers: [{ provide: SupplierClient, useFactory: () => new SupplierClient(options) }],
      exports: [SupplierClient],
    };
  }
}
