import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Query, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response as ExpressResponse } from 'express';
import { ApiErrorCode, isValidId } from '@millwright/contracts';
import { TwinSqliteStore } from '@millwright/twin-data-access';
import { MERGE_PATCH, apiError, etagOf, parseIdParam, parseIfMatch, parseIntParam, parseTimeParam, requireMergePatch } from '@millwright/observability';
import { DesiredStateService } from './desired-state.service';

import { ApiErrorDto, HistoryPageDto, TwinDto, TwinPageDto } from './twin.dto';

/** A `next` cursor is the `site/asset` key of the last twin of a page. */
function isTwinCursor(after: string): boolean {
  const parts = after.split('/');
  return parts.length === 2 && parts.every(isValidId);
}

@ApiTags('twins')
@Controller('api/v1/twins')
export class TwinsHttpController {
  constructor(
    private readonly store: TwinSqliteStore,
    private readonly desired: DesiredStateService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List twins, filtered, in pages ordered by site and asset' })
  @ApiQuery({ name: 'site', required: false })
  @ApiQuery({ name: 'assetClass', required: false })
  @ApiQuery({ name: 'q', required: false, description: 'Asset id prefix' })
  @ApiQuery({ name: 'health', required: false, description: 'derived.health.status' })
  @ApiQuery({ name: 'seenSince', required: false, description: 'Last reading at or after (epoch ms or ISO-8601)' })
  @ApiQuery({ name: 'seenBefore', required: false, description: 'Last reading before, or none (finds silent assets)' })
  @ApiQuery({ name: 'limit', required: false, description: '1-1000, default 100' })
  @ApiQuery({ name: 'after', required: false, description: 'Cursor from the previous page' })
  @ApiOkResponse({ type: TwinPageDto })
  @ApiResponse({ status: 400, type: ApiErrorDto })
  list(
    @Query('site') site?: string,
    @Query('assetClass') assetClass?: string,
    @Query('q') q?: string,
    @Query('health') health?: string,
    @Query('seenSince') seenSince?: string,
    @Query('seenBefore') seenBefore?: string,
    @Query('limit') limit?: string,
    @Query('after') after?: string,
  ): TwinPageDto {
    const n = parseIntParam('limit', limit, { min: 1, max: 1000, default: 100 })!;
    if (after !== undefined && !isTwinCursor(after)) {
      throw apiError(400, ApiErrorCode.ValidationFailed, 'after must be a cursor returned as `next`', { parameter: 'after' });
    }
    const twins = this.store.list({
      site: parseIdParam('site', site, { required: false }),
      assetClass: parseIdParam('assetClass', assetClass, { required: false }),
      assetPrefix: q === undefined || q === '' ? undefined : parseIdParam('q', q, { required: true }),
      health: health === undefined || health === '' ? undefined : parseIdParam('health', health, { required: true }),
      seenSince: parseTimeParam('seenSince', seenSince),
      seenBefore: parseTimeParam('seenBefore', seenBefore),
      after,
      limit: n + 1,
    });
    const page = twins.slice(0, n);
    const last = page[page.length - 1];
    return { items: page.map(TwinDto.of), next: twins.length > n && last ? `${last.site}/${last.asset}` : null };
  }

  @Get(':site/:asset')
  @ApiOperation({ summary: 'One twin; the ETag is its version' })
  @ApiOkResponse({ type: TwinDto })
  @ApiResponse({ status: 404, type: ApiErrorDto })
  get(@Param('site') site: string, @Param('asset') asset: string, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res({ passthrough: true }) res: ExpressResponse): TwinDto | undefined {
    const twin = this.store.get(parseIdParam('site', site, { required: true })!, parseIdParam('asset', asset, { required: true })!);
    if (!twin) throw apiError(404, ApiErrorCode.TwinNotFound, `no twin for ${site}/${asset}`);
    res.setHeader('ETag', etagOf(twin.version));
    if (ifNoneMatch === etagOf(twin.version)) {
      res.status(304);
      return undefined;
    }
    return TwinDto.of(twin);
  }

  @Get(':site/:asset/history')
  @ApiOperation({ summary: "An asset's recent readings, oldest first" })
  @ApiQuery({ name: 'limit', required: false, description: '1-5000, default 200' })
  @ApiQuery({ name: 'before', required: false, description: 'Only readings with a lower sequence number (for paging back)' })
  @ApiOkResponse({ type: HistoryPageDto })
  @ApiResponse({ status: 404, type: ApiErrorDto })
  history(@Param('site') site: string, @Param('asset') asset: string, @Query('limit') limit?: string, @Query('before') before?: string): HistoryPageDto {
    const s = parseIdParam('site', site, { required: true })!;
    const a = parseIdParam('asset', asset, { required: true })!;
    if (!this.store.get(s, a)) throw apiError(404, ApiErrorCode.TwinNotFound, `no twin for ${s}/${a}`);
    const n = parseIntParam('limit', limit, { min: 1, max: 5000, default: 200 })!;
    const b = parseIntParam('before', before, { min: 0, max: Number.MAX_SAFE_INTEGER });
    const points = this.store.history(s, a, n, b);
    return { site: s, asset: a, points, before: points.length === n ? points[0].seq : null };
  }

  @Patch(':site/:asset/desired')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change desired state with a JSON merge patch (RFC 7396): null deletes a field' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag last read; a stale one gets 412' })
  @ApiHeader({ name: 'Content-Type', required: true, description: `${MERGE_PATCH} or application/json` })
  @ApiBody({ schema: { type: 'object', additionalProperties: true, example: { targetRpm: 2388, mode: 'eco', oldField: null } } })
  @ApiOkResponse({ type: TwinDto })
  @ApiResponse({ status: 412, type: ApiErrorDto, description: 'version_mismatch' })
  @ApiResponse({ status: 415, type: ApiErrorDto })
  patchDesired(
    @Param('site') site: string,
    @Param('asset') asset: string,
    @Headers('content-type') contentType: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ExpressResponse,
  ): TwinDto {
    requireMergePatch(contentType);
    const twin = this.desired.patch(parseIdParam('site', site, { required: true })!, parseIdParam('asset', asset, { required: true })!, body, parseIfMatch(ifMatch));
    res.setHeader('ETag', etagOf(twin.version));
    return TwinDto.of(twin);
  }
}
