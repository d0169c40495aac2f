import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SiteHealthReporter, type SyncStatus } from './site-health.reporter';

@ApiTags('sync')
@Controller('api/v1/sync')
export class SyncStatusHttpController {
  constructor(private readonly health: SiteHealthReporter) {}

  @Get('status')
  @ApiOperation({ summary: 'Uplink state, upstream backlog (messages, age of the oldest) and the last site health summary' })
  @ApiOkResponse({ description: 'The site sync status' })
  status(): SyncStatus {
    return this.health.status();
  }
}
