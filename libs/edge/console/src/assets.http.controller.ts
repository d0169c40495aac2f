import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AssetPage, AssetRow, RulPoint } from '@millwright/console-contracts';
import { ApiErrorCode } from '@millwright/contracts';
import { apiError } from '@millwright/observability';
import { AssetBoard } from './asset-board';
import { AssetBoardFollower } from './asset-board.follower';
import { TWIN_UPSTREAM, type UpstreamClient } from './upstream.client';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
function id(name: string, v: string): string {
  if (!ID.test(v)) throw apiError(400, ApiErrorCode.ValidationFailed, `${name} must be 1-64 letters, digits, _ or -`);
  return v;
}

/** Edge mode: the assets table from the console's board, an asset's twin and history from the twin service. */
@ApiTags('assets')
@Controller('api/v1/assets')
export class AssetsHttpController {
  constructor(
    private readonly board: AssetBoard,
    private readonly follower: AssetBoardFollower,
    @Inject(TWIN_UPSTREAM) private readonly twins: UpstreamClient,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every asset of the site as a table row (the browser sorts and filters); `hydrated` is false while the first read runs' })
  list(@Query('health') health?: string): AssetPage & { hydrated: boolean } {
    let items: AssetRow[] = this.board.list();
    if (health) items = items.filter((r) => r.health === health);
    return { items, total: items.length, hydrated: this.follower.isHydrated };
  }

  @Get(':site/:asset')
  @ApiOperation({ summary: "The asset's twin, its row and its RUL history (points marked with the model version)" })
  async one(@Param('site') site: string, @Param('asset') asset: string): Promise<{ twin: unknown; row: AssetRow | null; rulHistory: RulPoint[] }> {
    const twin = await this.twins.json(`/api/v1/twins/${id('site', site)}/${id('asset', asset)}`);
    return { twin, row: this.board.get(site, asset) ?? null, rulHistory: this.board.rulHistory(site, asset) };
  }

  @Get(':site/:asset/history')
  @ApiOperation({ summary: "The asset's recent readings (for the sensor trend charts)" })
  history(@Param('site') site: string, @Param('asset') asset: string, @Query('limit') limit?: string): Promise<unknown> {
    const q = limit && /^\d{1,4}$/.test(limit) ? `?limit=${limit}` : '?limit=300';
    return this.twins.json(`/api/v1/twins/${id('site', site)}/${id('asset', asset)}/history${q}`);
  }
}
