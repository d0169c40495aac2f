import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApiErrorFilter } from '@millwright/observability';
import { AssetBoard } from './asset-board';
import { AssetBoardFollower } from './asset-board.follower';
import { AssetsHttpController } from './assets.http.controller';
import { AuditLog } from './audit.log';
import { ConsoleOrdersHttpController } from './console-orders.http.controller';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options';
import { FleetHttpController } from './fleet.http.controller';
import { LiveEventsHub } from './live-events.hub';
import { ModelHttpController } from './model.http.controller';
import { SessionGuard } from './session.guard';
import { SessionHttpController } from './session.http.controller';
import { SessionTokens } from './session.tokens';
import { SiteHealthService } from './site-health.service';
import { SiteHttpController } from './site.http.controller';
import { CENTRAL_UPSTREAM, MAINTENANCE_UPSTREAM, PREDICTOR_UPSTREAM, TWIN_UPSTREAM, UpstreamClient } from './upstream.client';

/**
 * The staff console's backend: sign-in and roles, the audit log, and a thin BFF over the edge
 * services. Edge mode needs NATS (from the app) for live updates; fleet mode only the central API.
 */
@Module({})
export class ConsoleModule {
  static forRoot(o: ConsoleOptions): DynamicModule {
    const common: Provider[] = [
      { provide: CONSOLE_OPTIONS, useValue: o },
      { provide: SessionTokens, useValue: new SessionTokens(o.sessionSecret) },
      AuditLog,
      { provide: APP_GUARD, useClass: SessionGuard },
      { provide: APP_FILTER, useClass: ApiErrorFilter },
    ];
    if (o.mode === 'fleet') {
      return {
        module: ConsoleModule,
        controllers: [SessionHttpController, FleetHttpController],
        providers: [...common, { provide: CENTRAL_UPSTREAM, useValue: new UpstreamClient('asset-platform', o.centralApiUrl, o.upstreamTimeoutMs, o.serviceToken) }],
      };
    }
    return {
      module: ConsoleModule,
      controllers: [SessionHttpController, AssetsHttpController, ConsoleOrdersHttpController, SiteHttpController, ModelHttpController],
      providers: [
        ...common,
        { provide: TWIN_UPSTREAM, useValue: new UpstreamClient('twin-service', o.twinServiceUrl, o.upstreamTimeoutMs, o.serviceToken) },
        { provide: MAINTENANCE_UPSTREAM, useValue: new UpstreamClient('maintenance', o.maintenanceUrl, o.upstreamTimeoutMs, o.serviceToken) },
        { provide: PREDICTOR_UPSTREAM, useValue: new UpstreamClient('predictor', o.predictorUrl, o.upstreamTimeoutMs, o.serviceToken) },
        { provide: AssetBoard, useValue: new AssetBoard(o.rulHistoryPerAsset) },
        LiveEventsHub,
        AssetBoardFollower,
        SiteHealthService,
      ],
    };
  }
}
