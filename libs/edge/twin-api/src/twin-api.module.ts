import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiErrorFilter } from '@millwright/observability';
import { DesiredStateService } from './desired-state.service';
import { TwinsHttpController } from './twins.http.controller';

/** The twin REST API. Needs the twin store and the NATS connection from the app module. */
@Module({
  controllers: [TwinsHttpController],
  providers: [DesiredStateService, { provide: APP_FILTER, useClass: ApiErrorFilter }],
})
export class TwinApiModule {}
