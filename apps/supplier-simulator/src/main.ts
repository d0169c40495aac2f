import { startHttpService } from '@millwright/observability';
import { AppModule } from './app.module';
import { loadSupplierSimulatorConfig } from './supplier-simulator.config';

startHttpService('supplier-simulator', () => {
  const c = loadSupplierSimulatorConfig();
  return {
    module: AppModule.forConfig(c),
    host: c.HTTP_HOST,
    port: c.HTTP_PORT,
    title: 'Supplier simulator',
    description: "A supplier's ERP order API for demos and tests: idempotent orders, and failures, timeouts and delays on request.",
    // Held (timed-out) requests must not keep a stopping simulator alive.
    nestOptions: { forceCloseConnections: true },
  };
});
