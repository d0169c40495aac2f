import { ApiAuthModule, apiAuthOptions } from '@millwright/http-auth';
import { Module, type DynamicModule } from '@nestjs/common';
import { NatsConnectionModule } from '@millwright/messaging';
import { ObservabilityModule } from '@millwright/observability';
import { TwinApiModule } from '@millwright/twin-api';
import { TwinDataAccessModule } from '@millwright/twin-data-access';
import { TwinIngestModule } from '@millwright/twin-ingest';
import { TwinSyncModule } from '@millwright/twin-sync';
import type { TwinServiceConfig } from './twin-service.config';

@Module({})
export class AppModule {
  static forConfig(c: TwinServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'twin-service' }),
        NatsConnectionModule.forRoot({ servers: c.NATS_URL, name: 'millwright-twin-service', nkeySeedFile: c.NATS_NKEY_SEED_FILE }),
        ApiAuthModule.forRoot(apiAuthOptions(c), 'twin-service'),
        TwinDataAccessModule.forRoot({ path: c.TWIN_DB_PATH, synchronous: c.SQLITE_SYNCHRONOUS, cacheMb: c.SQLITE_CACHE_MB, cacheSize: c.TWIN_CACHE_SIZE, flushDelayMs: c.TWIN_FLUSH_DELAY }),
        TwinIngestModule.forRoot({
          ingest: {
            maxBatchReadings: c.INGEST_MAX_BATCH,
            maxAckPending: c.INGEST_MAX_ACK_PENDING,
            maxBytesInFlight: c.INGEST_MAX_BYTES_IN_FLIGHT,
            ackWaitMs: c.INGEST_ACK_WAIT,
            streamMaxBytes: c.TELEMETRY_STREAM_MAX_BYTES,
            streamMaxAgeMs: c.TELEMETRY_STREAM_MAX_AGE,
            deadLetterMaxBytes: c.DEAD_LETTER_MAX_BYTES,
            deadLetterMaxAgeMs: c.DEAD_LETTER_MAX_AGE,
            predictionsMaxBytes: c.PREDICTIONS_STREAM_MAX_BYTES,
            predictionsMaxAgeMs: c.PREDICTIONS_STREAM_MAX_AGE,
            replicas: c.JETSTREAM_REPLICAS,
          },
          retention: { maxPerAsset: c.HISTORY_MAX_PER_ASSET, maxAgeMs: c.HISTORY_MAX_AGE, intervalMs: c.HISTORY_PRUNE_INTERVAL, assetsPerTick: 500 },
        }),
        TwinApiModule,
        ...(c.SYNC_ENABLED
          ? [
              TwinSyncModule.forRoot({
                natsServers: c.NATS_URL,
                site: c.SITE_ID,
                hubDomain: c.SYNC_HUB_DOMAIN,
                windowMs: c.SYNC_INTERVAL,
                maxDeltasPerMessage: c.SYNC_MAX_DELTAS_PER_MESSAGE,
                streamMaxBytes: c.SYNC_STREAM_MAX_BYTES,
                streamMaxAgeMs: c.SYNC_STREAM_MAX_AGE,
                healthIntervalMs: c.SYNC_HEALTH_INTERVAL,
              }),
            ]
          : []),
      ],
    };
  }
}
