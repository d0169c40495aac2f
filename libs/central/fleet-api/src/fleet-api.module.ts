import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiErrorFilter } from '@millwright/observability';
import { AssetsHttpController } from './assets.http.controller';
import { PoliciesHttpController } from './policies.http.controller';
import { ReleasesHttpController } from './releases.http.controller';
import { SitesHttpController } from './sites.http.controller';
import { SyncRecordsHttpController } from './sync-records.http.controller';

/** The central REST API. Needs the platform store and sync from the app module. */
@Module({
  controllers: [SitesHttpController, AssetsHttpController, PoliciesHttpController, SyncRecordsHttpController, ReleasesHttpController],
  providers: [{ provide: APP_FILTER, useClass: ApiErrorFilter }],
})
export class FleetApiModule {}
