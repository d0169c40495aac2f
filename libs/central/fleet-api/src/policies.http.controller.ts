import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorCode } from '@millwright/contracts';
import { apiError, parseIdParam } from '@millwright/observability';
import { PlatformStore } from '@millwright/platform-data-access';
import { DesiredDownlinkPublisher } from '@millwright/platform-sync';
import { policyDto } from './fleet.dto';
import { RequireApiRole } from '@millwright/http-auth';

const MAX_POLICY_BYTES = 8 * 1024;

@ApiTags('policies')
@Controller('api/v1/sites/:site/policies')
export class PoliciesHttpController {
  constructor(
    private readonly store: PlatformStore,
    private readonly downlink: DesiredDownlinkPublisher,
  ) {}

  @Get()
  @ApiOperation({ summary: "A site's centrally set replacement policies, per asset class" })
  async list(@Param('site') site: string) {
    return { items: (await this.store.policies(parseIdParam('site', site, { required: true })!)).map(policyDto) };
  }

  @RequireApiRole('admin')
  @Put(':assetClass')
  @ApiOperation({ summary: "Set an asset class's replacement policy for a site; it reaches the site whenever its link is up, and the site checks it field by field" })
  @ApiBody({ schema: { type: 'object', example: { partNumber: 'HPC-MODULE-01', leadTimeCycles: 20, marginCycles: 5, approvalRequired: true, by: 'planner-1' } } })
  @ApiResponse({ status: 404, description: 'site_not_found' })
  async put(@Param('site') site: string, @Param('assetClass') assetClass: string, @Body() body: unknown) {
    const s = parseIdParam('site', site, { required: true })!;
    const cls = parseIdParam('assetClass', assetClass, { required: true })!;
    if (!(await this.store.site(s))) throw apiError(404, ApiErrorCode.SiteNotFound, `no site ${s}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw apiError(400, ApiErrorCode.ValidationFailed, 'a policy is a JSON object');
    const { by, ...policy } = body as Record<string, unknown>;
    if (typeof by !== 'string' || by.trim() === '') throw apiError(400, ApiErrorCode.ValidationFailed, 'say who sets it: {"by": "<user>", ...}');
    if (Buffer.byteLength(JSON.stringify(policy)) > MAX_POLICY_BYTES) throw apiError(413, ApiErrorCode.DocumentTooLarge, `a policy is at most ${MAX_POLICY_BYTES} bytes`);
    const p = await this.store.putPolicy(s, cls, { ...policy, assetClass: cls }, by.trim(), Date.now());
    void this.downlink.publishOwed();
    return policyDto(p);
  }
}
