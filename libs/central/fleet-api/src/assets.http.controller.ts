import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response as ExpressResponse } from 'express';
import { ApiErrorCode } from '@millwright/contracts';
import { apiError, etagOf, parseIdParam, parseIfMatch, parseIntParam, parseTimeParam, requireMergePatch } from '@millwright/observability';
import { PlatformStore, type AssetSort, type Page } from '@millwright/platform-data-access';
import { DesiredDownlinkPublisher } from '@millwright/platform-sync';
import { desiredPatchStatus, patchDesiredDocument } from '@millwright/sync-domain';
import { twinDto, type CentralTwinDto } from './fleet.dto';

const SORTS: readonly AssetSort[] = ['site', 'asset', 'rul', 'failureRisk', 'lastSeen', 'health'];
const HEALTH = ['ok', 'warning', 'critical', 'unknown'];

@ApiTags('assets')
@Controller('api/v1')
export class AssetsHttpController {
  constructor(
    private readonly store: PlatformStore,
    private readonly downlink: DesiredDownlinkPublisher,
  ) {}

  @Get('assets')
  @ApiOperation({ summary: 'Fleet query across sites: filter, sort, page' })
  @ApiQuery({ name: 'site', required: false })
  @ApiQuery({ name: 'assetClass', required: false })
  @ApiQuery({ name: 'health', required: false, enum: HEALTH })
  @ApiQuery({ name: 'rulBelow', required: false, description: 'Predicted remaining useful life below this many cycles' })
  @ApiQuery({ name: 'lastSeenBefore', required: false, description: 'Silent since (epoch ms or ISO-8601)' })
  @ApiQuery({ name: 'lastSeenAfter', required: false })
  @ApiQuery({ name: 'sort', required: false, enum: SORTS, description: 'default site' })
  @ApiQuery({ name: 'order', required: false, enum: ['asc', 'desc'] })
  @ApiQuery({ name: 'limit', required: false, description: '1-1000, default 100' })
  @ApiQuery({ name: 'offset', required: false })
  @ApiOkResponse({ description: '{ items, total, limit, offset }' })
  @ApiResponse({ status: 400, description: 'validation_failed' })
  async list(
    @Query('site') site?: string,
    @Query('assetClass') assetClass?: string,
    @Query('health') health?: string,
    @Query('rulBelow') rulBelow?: string,
    @Query('lastSeenBefore') lastSeenBefore?: string,
    @Query('lastSeenAfter') lastSeenAfter?: string,
    @Query('sort') sort?: string,
    @Query('order') order?: string,
    @Query('limit') limit?: string,
    @Query('offset') offset?: string,
  ): Promise<Page<CentralTwinDto>> {
    if (sort !== undefined && !SORTS.includes(sort as AssetSort)) throw apiError(400, ApiErrorCode.ValidationFailed, `sort must be one of ${SORTS.join(', ')}`, { parameter: 'sort' });
    if (order !== undefined && order !== 'asc' && order !== 'desc') throw apiError(400, ApiErrorCode.ValidationFailed, 'order must be asc or desc', { parameter: 'order' });
    if (health !== undefined && !HEALTH.includes(health)) throw apiError(400, ApiErrorCode.ValidationFailed, `health must be one of ${HEALTH.join(', ')}`, { parameter: 'health' });
    let rul: number | undefined;
    if (rulBelow !== undefined) {
      rul = Number(rulBelow);
      if (rulBelow.trim() === '' || !Number.isFinite(rul)) throw apiError(400, ApiErrorCode.ValidationFailed, 'rulBelow must be a number', { parameter: 'rulBelow' });
    }
    const page = await this.store.queryAssets({
      site: parseIdParam('site', site, { required: false }),
      assetClass: parseIdParam('assetClass', assetClass, { required: false }),
      health,
      rulBelow: rul,
      lastSeenBefore: parseTimeParam('lastSeenBefore', lastSeenBefore),
      lastSeenAfter: parseTimeParam('lastSeenAfter', lastSeenAfter),
      sort: (sort as AssetSort | undefined) ?? 'site',
      order: order === 'desc' ? 'desc' : 'asc',
      limit: parseIntParam('limit', limit, { min: 1, max: 1000, default: 100 })!,
      offset: parseIntParam('offset', offset, { min: 0, max: 10_000_000, default: 0 })!,
    });
    return { ...page, items: page.items.map(twinDto) };
  }

  @Get('sites/:site/assets/:asset')
  @ApiOperation({ summary: "One asset's central twin; the ETag is its desired version" })
  @ApiResponse({ status: 404, description: 'asset_not_found' })
  async get(@Param('site') site: string, @Param('asset') asset: string, @Res({ passthrough: true }) res: ExpressResponse): Promise<CentralTwinDto> {
    const t = await this.store.twin(parseIdParam('site', site, { required: true })!, parseIdParam('asset', asset, { required: true })!);
    if (!t) throw apiError(404, ApiErrorCode.AssetNotFound, `no asset ${site}/${asset}`);
    res.setHeader('ETag', etagOf(t.desiredVersion));
    return twinDto(t);
  }

  @Patch('sites/:site/assets/:asset/desired')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change desired state centrally (JSON merge patch); it reaches the site whenever its link is up' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The desired-version ETag last read; a stale one gets 412' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { targetRpm: 2388, mode: null } } })
  @ApiResponse({ status: 412, description: 'version_mismatch' })
  async patchDesired(
    @Param('site') site: string,
    @Param('asset') asset: string,
    @Headers('content-type') contentType: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ExpressResponse,
  ): Promise<CentralTwinDto> {
    requireMergePatch(contentType);
    const s = parseIdParam('site', site, { required: true })!;
    const a = parseIdParam('asset', asset, { required: true })!;
    if (!(await this.store.site(s))) throw apiError(404, ApiErrorCode.SiteNotFound, `no site ${s}`);
    const r = await this.store.updateDesired(
      s,
      a,
      parseIfMatch(ifMatch),
      (cur) => {
        const p = patchDesiredDocument(cur, body);
        return p.ok ? p : { ok: false as const, error: p };
      },
      Date.now(),
    );
    if ('invalid' in r) throw apiError(desiredPatchStatus(r.invalid.code), r.invalid.code, r.invalid.message);
    if ('stale' in r) throw apiError(412, ApiErrorCode.VersionMismatch, `If-Match names desired version ${parseIfMatch(ifMatch)}, it is at ${r.stale}`, { currentVersion: r.stale });
    void this.downlink.publishOwed();
    res.setHeader('ETag', etagOf(r.twin.desiredVersion));
    return twinDto(r.twin);
  }
}
