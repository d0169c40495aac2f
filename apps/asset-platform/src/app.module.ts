import { ApiAuthModule, apiAuthOptions } from '@millwright/http-auth';
import { Module, type DynamicModule } from '@nestjs/common';
import { FleetApiModule } from '@millwright/fleet-api';
import { NatsConnectionModule } from '@millwright/messaging';
import { ObservabilityModule } from '@millwright/observability';
import { PlatformDataAccessModule } from '@millwright/platform-data-access';
import { PlatformSyncModule } from '@millwright/platform-sync';
import type { loadAssetPlatformConfig } from './asset-platform.config';

@Module({})
export class AppModule {
  static forConfig(c: ReturnType<typeof loadAssetPlatformConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'asset-platform' }),
        NatsConnectionModule.forRoot({ servers: c.NATS_URL, name: 'millwright-asset-platform', nkeySeedFile: c.NATS_NKEY_SEED_FILE }),
        ApiAuthModule.forRoot(apiAuthOptions(c), 'asset-platform'),
        PlatformDataAccessModule.forRoot({ databaseUrl: c.DATABASE_URL, sqlitePath: c.PLATFORM_DB_PATH }),
        PlatformSyncModule.forRoot({
          sites: c.sites,
          ackWaitMs: c.SYNC_ACK_WAIT,
          announceIntervalMs: c.SYNC_ANNOUNCE_INTERVAL,
          inboxMaxBytes: c.SYNC_INBOX_MAX_BYTES,
          deadLetterMaxBytes: c.DEAD_LETTER_MAX_BYTES,
          downlinkMaxAgeMs: c.DOWNLINK_MAX_AGE,
          modelBucket: c.MODEL_BUCKET,
        }),
        FleetApiModule,
      ],
    };
  }
}
