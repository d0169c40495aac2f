import { ApiAuthModule, apiAuthOptions } from '@millwright/http-auth';
import { Module, type DynamicModule } from '@nestjs/common';
import { MaintenanceModule } from '@millwright/maintenance';
import { NatsConnectionModule } from '@millwright/messaging';
import { ObservabilityModule } from '@millwright/observability';
import { ProcurementModule } from '@millwright/procurement';
import type { MaintenanceConfig } from './maintenance.config';

@Module({})
export class AppModule {
  static forConfig(c: MaintenanceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'maintenance' }),
        NatsConnectionModule.forRoot({ servers: c.NATS_URL, name: 'millwright-maintenance', nkeySeedFile: c.NATS_NKEY_SEED_FILE }),
        ApiAuthModule.forRoot(apiAuthOptions(c), 'maintenance'),
        ProcurementModule.forRoot({
          baseUrl: c.SUPPLIER_URL,
          timeoutMs: c.SUPPLIER_TIMEOUT,
          retry: { attempts: c.SUPPLIER_ATTEMPTS },
          breaker: { failureThreshold: c.SUPPLIER_BREAKER_FAILURES, coolDownMs: c.SUPPLIER_BREAKER_COOLDOWN },
        }),
        MaintenanceModule.forRoot({
          databasePath: c.MAINTENANCE_DB_PATH,
          policiesFile: c.POLICIES_FILE,
          downlink: { site: c.SITE_ID },
          relay: { intervalMs: c.OUTBOX_INTERVAL, leaseMs: c.OUTBOX_LEASE, retryBaseMs: c.OUTBOX_RETRY_BASE, retryMaxMs: c.OUTBOX_RETRY_MAX },
          follower: { twinServiceUrl: c.TWIN_SERVICE_URL, twinServiceToken: c.API_CLIENT_TOKEN, maxAckPending: c.PREDICTIONS_MAX_ACK_PENDING },
        }),
      ],
    };
  }
}
