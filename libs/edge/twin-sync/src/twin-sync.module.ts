import { Module, type DynamicModule } from '@nestjs/common';
import { TWIN_SYNC_OPTIONS, TwinSyncService, type TwinSyncOptions } from './twin-sync.service';

/** The site's upstream sync. Needs the twin store, NATS and observability from the app. */
@Module({})
export class TwinSyncModule {
  static forRoot(o: TwinSyncOptions): DynamicModule {
    return { module: TwinSyncModule, providers: [{ provide: TWIN_SYNC_OPTIONS, useValue: o }, TwinSyncService], exports: [TwinSyncService] };
  }
}
