import { Module, type DynamicModule } from '@nestjs/common';
import { DesiredDownlinkService } from './desired-downlink.service';
import { SiteHealthReporter } from './site-health.reporter';
import { SyncStatusHttpController } from './sync-status.http.controller';
import { TwinOutboxService } from './twin-outbox.service';
import { connectNats } from '@millwright/messaging';
import { SYNC_NATS_CONNECTION, TWIN_SYNC_OPTIONS, type TwinSyncOptions } from './twin-sync.options';

/** The site's link to the central platform: deltas and health up, desired state down. Needs the twin store, NATS and observability from the app. */
@Module({})
export class TwinSyncModule {
  static forRoot(o: TwinSyncOptions): DynamicModule {
    return {
      module: TwinSyncModule,
      controllers: [SyncStatusHttpController],
      providers: [
        { provide: TWIN_SYNC_OPTIONS, useValue: o },
        { provide: SYNC_NATS_CONNECTION, useFactory: () => connectNats({ servers: o.natsServers, name: 'millwright-twin-sync' }) },
        TwinOutboxService, DesiredDownlinkService, SiteHealthReporter],
      exports: [TwinOutboxService, SiteHealthReporter],
    };
  }
}
