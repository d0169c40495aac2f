import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorCode, isValidId } from '@millwright/contracts';
import { apiError, parseIdParam } from '@millwright/observability';
import { PlatformStore } from '@millwright/platform-data-access';
import { SiteSyncService } from '@millwright/platform-sync';
import { siteDto, type SiteDto } from './fleet.dto';
import { RequireApiRole } from '@millwright/http-auth';

@ApiTags('sites')
@Controller('api/v1/sites')
export class SitesHttpController {
  constructor(
    private readonly store: PlatformStore,
    private readonly sync: SiteSyncService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every registered site with its newest health summary and sync position' })
  @ApiOkResponse({ description: '{ items: Site[] }' })
  async list(): Promise<{ items: SiteDto[] }> {
    return { items: (await this.store.sites()).map(siteDto) };
  }

  @Get(':site')
  @ApiOperation({ summary: 'One site' })
  @ApiResponse({ status: 404, description: 'site_not_found' })
  async get(@Param('site') site: string): Promise<SiteDto> {
    const s = await this.store.site(parseIdParam('site', site, { required: true })!);
    if (!s) throw apiError(404, ApiErrorCode.SiteNotFound, `no site ${site}`);
    return siteDto(s);
  }

  @RequireApiRole('admin')
  @Put(':site')
  @ApiOperation({ summary: "Register a site (idempotent): the hub starts sourcing its outbox through its JetStream domain's API" })
  @ApiBody({ schema: { type: 'object', properties: { domain: { type: 'string', description: "The site's JetStream domain; defaults to the site id" } } } })
  async register(@Param('site') site: string, @Body() body: unknown): Promise<SiteDto> {
    const id = parseIdParam('site', site, { required: true })!;
    const domain = (body as { domain?: unknown } | undefined)?.domain ?? id;
    if (!isValidId(domain)) throw apiError(400, ApiErrorCode.ValidationFailed, 'domain must be 1-64 characters of [A-Za-z0-9_-]', { parameter: 'domain' });
    await this.sync.addSite(id, domain);
    return siteDto((await this.store.site(id))!);
  }
}
