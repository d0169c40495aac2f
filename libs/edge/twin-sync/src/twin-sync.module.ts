import { Module, type DynamicModule } from '@nestjs/common';
import { DesiredDownlinkService } from './desired-downlink.service';
import { SiteHealthReporter } from './site-health.reporter';
import { SyncStatusHttpController } from './sync-status.http.controller';
import { TwinOutboxService } from './twin-outbox.service';
import { TWIN_SYNC_OPTIONS, type TwinSyncOptions } from './twin-sync.options';

/** The site's link to the central platform: deltas and health up, desired state down. Needs the twin store, NATS and observability from the app. */
@Module({})
export class TwinSyncModule {
  static forRoot(o: TwinSyncOptions): DynamicModule {
    return {
      module: TwinSyncModule,
      controllers: [SyncStatusHttpController],
      providers: [{ provide: TWIN_SYNC_OPTIONS, useValue: o }, TwinOutboxService, DesiredDownlinkService, SiteHealthReporter],
      exports: [TwinOutboxService, SiteHealthReporter],
    };
  }
}
