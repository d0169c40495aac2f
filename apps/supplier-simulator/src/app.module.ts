import { Module, type DynamicModule } from '@nestjs/common';
import { SupplierSimulatorModule } from '@millwright/supplier-simulator';
import { faultsOf, type SupplierSimulatorConfig } from './supplier-simulator.config';

@Module({})
export class AppModule {
  static forConfig(c: SupplierSimulatorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SupplierSimulatorModule.forRoot({
          faults: faultsOf(c),
          seed: c.SUPPLIER_SEED,
          stateFile: c.SUPPLIER_STATE_FILE || undefined,
          leadTimeMs: c.SUPPLIER_LEAD_TIME,
        }),
      ],
    };
  }
}
