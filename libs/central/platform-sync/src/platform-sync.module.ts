import { Module, type DynamicModule } from '@nestjs/common';
import { DesiredDownlinkPublisher } from './desired-downlink.publisher';
import { ModelRolloutPublisher } from './model-rollout.publisher';
import { PLATFORM_SYNC_OPTIONS, type PlatformSyncOptions } from './platform-sync.options';
import { SiteSyncService } from './site-sync.service';

/** The central end of the sync: site inboxes up, desired documents, policies and staged model releases down. Needs the store, NATS (hub) and observability from the app. */
@Module({})
export class PlatformSyncModule {
  static forRoot(o: PlatformSyncOptions): DynamicModule {
    return {
      module: PlatformSyncModule,
      global: true,
      providers: [{ provide: PLATFORM_SYNC_OPTIONS, useValue: o }, DesiredDownlinkPublisher, ModelRolloutPublisher, SiteSyncService],
      exports: [DesiredDownlinkPublisher, ModelRolloutPublisher, SiteSyncService],
    };
  }
}
