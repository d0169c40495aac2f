import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parseIdParam, parseIntParam } from '@millwright/observability';
import { PlatformStore } from '@millwright/platform-data-access';
import { conflictDto, orderDto } from './fleet.dto';

@ApiTags('records')
@Controller('api/v1')
export class SyncRecordsHttpController {
  constructor(private readonly store: PlatformStore) {}

  @Get('conflicts')
  @ApiOperation({ summary: 'Desired fields changed at the edge and centrally during an outage, and what was kept' })
  @ApiQuery({ name: 'site', required: false })
  @ApiQuery({ name: 'asset', required: false })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'offset', required: false })
  @ApiOkResponse({ description: '{ items, total }' })
  async conflicts(@Query('site') site?: string, @Query('asset') asset?: string, @Query('limit') limit?: string, @Query('offset') offset?: string) {
    const [items, total] = await this.store.conflicts({
      site: parseIdParam('site', site, { required: false }),
      asset: parseIdParam('asset', asset, { required: false }),
      limit: parseIntParam('limit', limit, { min: 1, max: 1000, default: 100 })!,
      offset: parseIntParam('offset', offset, { min: 0, max: 10_000_000, default: 0 })!,
    });
    return { items: items.map(conflictDto), total };
  }

  @Get('orders')
  @ApiOperation({ summary: "Sites' replacement orders, newest state of each" })
  @ApiQuery({ name: 'site', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiOkResponse({ description: '{ items, total }' })
  async orders(@Query('site') site?: string, @Query('state') state?: string, @Query('limit') limit?: string, @Query('offset') offset?: string) {
    const [items, total] = await this.store.orders({
      site: parseIdParam('site', site, { required: false }),
      state: parseIdParam('state', state, { required: false }),
      limit: parseIntParam('limit', limit, { min: 1, max: 1000, default: 100 })!,
      offset: parseIntParam('offset', offset, { min: 0, max: 10_000_000, default: 0 })!,
    });
    return { items: items.map(orderDto), total };
  }
}
