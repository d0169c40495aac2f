import type { AddressInfo } from 'node:net';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FaultInjector } from './fault.injector';
import { SupplierOrderStore } from './supplier-order.store';
import { SupplierSimulatorModule } from './supplier-simulator.module';
import type { SupplierSimulatorOptions } from './supplier-simulator.options';
import { SupplierStatsCounter } from './supplier-stats.counter';

export interface RunningSupplierSimulator {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  app: INestApplication;
  faults: FaultInjector;
  store: SupplierOrderStore;
  stats: SupplierStatsCounter;
  close(): Promise<void>;
}

/**
 * Starts the simulator in this process, on a port the OS picks (no race with other tests for a
 * "free" port). For tests of clients; the supplier-simulator app is the deployable form.
 */
export async function startSupplierSimulator(
  options: SupplierSimulatorOptions & { host?: string; port?: number; logger?: LogLevel[] | false } = {},
): Promise<RunningSupplierSimulator> {
  const { host = '127.0.0.1', port = 0, logger = ['error'], ...simulator } = options;
  // Force-close: clients keep spare keep-alive sockets open, and a test should not wait out their timeout.
  const app = await NestFactory.create(SupplierSimulatorModule.forRoot(simulator), { logger, forceCloseConnections: true });
  await app.listen(port, host);
  const address = app.getHttpServer().address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    app,
    faults: app.get(FaultInjector),
    store: app.get(SupplierOrderStore),
    stats: app.get(SupplierStatsCounter),
    close: () => app.close(),
  };
}
