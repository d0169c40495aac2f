import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorCode } from '@millwright/contracts';
import { MODEL_VERSION_PATTERN } from '@millwright/model-release';
import { apiError } from '@millwright/observability';
import { ModelReleaseEntity, PlatformStore } from '@millwright/platform-data-access';
import { ModelRolloutPublisher } from '@millwright/platform-sync';
import { rolloutPlanProblems } from '@millwright/sync-domain';
import { releaseDto } from './fleet.dto';

@ApiTags('releases')
@Controller('api/v1/releases')
export class ReleasesHttpController {
  constructor(
    private readonly store: PlatformStore,
    private readonly rollout: ModelRolloutPublisher,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Staged model releases, newest first, with the state at every site (waiting, pending, shadow, promoted, rolled_back) and why' })
  async list(@Query('limit') limit?: string, @Query('offset') offset?: string) {
    const l = Math.min(Math.max(Number(limit ?? 50) || 50, 1), 500);
    const o = Math.max(Number(offset ?? 0) || 0, 0);
    const [items, total] = await this.store.releases({ limit: l, offset: o });
    return { items: items.map((r) => releaseDto(r.release, r.sites)), total, limit: l, offset: o };
  }

  @Get(':version')
  @ApiOperation({ summary: 'One release and its state at every site' })
  @ApiResponse({ status: 404, description: 'release_not_found' })
  async get(@Param('version') version: string) {
    const r = await this.store.release(version);
    if (!r) throw apiError(404, ApiErrorCode.ReleaseNotFound, `no release ${version}`);
    return releaseDto(r.release, r.sites);
  }

  @Post()
  @ApiOperation({
    summary:
      'Roll out a release uploaded to the hub object store (`<version>/model.onnx`, `model-card.json`, `model-card.json.sig`) to groups of sites in stages: the first stage (canary) first, each next stage once every site of the one before promoted it; a rollback stops the release',
  })
  @ApiBody({ schema: { type: 'object', example: { version: 'fd001-2f3a4b5c6d7e', stages: [['site-a'], ['site-b', 'site-c']], shadowMs: 600000, maxDisagreement: 5, by: 'ml-engineer-1' } } })
  @ApiResponse({ status: 404, description: 'site_not_found, release_files_missing' })
  @ApiResponse({ status: 409, description: 'release_exists, release_in_flight' })
  async create(@Body() body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw apiError(400, ApiErrorCode.ValidationFailed, 'a release is a JSON object');
    const b = body as Record<string, unknown>;
    const problems = rolloutPlanProblems({ stages: b.stages, shadowMs: b.shadowMs, maxDisagreement: b.maxDisagreement });
    if (typeof b.version !== 'string' || !MODEL_VERSION_PATTERN.test(b.version)) problems.unshift(`version must match ${MODEL_VERSION_PATTERN}`);
    if (typeof b.by !== 'string' || b.by.trim() === '' || b.by.length > 100) problems.push('say who releases it: {"by": "<user>", ...}');
    if (problems.length) throw apiError(400, ApiErrorCode.ValidationFailed, problems.join('; '));
    const version = b.version as string;
    const stages = b.stages as string[][];
    const known = new Set((await this.store.sites()).map((s) => s.id));
    const unknown = stages.flat().filter((s) => !known.has(s));
    if (unknown.length) throw apiError(404, ApiErrorCode.SiteNotFound, `unknown site(s): ${unknown.join(', ')}`);
    const busy = await this.sitesWithReleaseInFlight(new Set(stages.flat()));
    if (busy.length) {
      throw apiError(409, ApiErrorCode.ReleaseInFlight, `wait until these sites have promoted or rolled back the release they are on: ${busy.map((b) => `${b.site} (${b.version})`).join(', ')}`);
    }
    const files = await this.rollout.readFiles(version);
    if (!files) throw apiError(404, ApiErrorCode.ReleaseFilesMissing, `upload ${version}/model.onnx and ${version}/model-card.json (signed) to the hub object store first`);
    // Only what is needed to name the release; whether it may run is decided by each edge (signature, hash).
    let card: { version?: unknown; model?: { sha256?: unknown } };
    try {
      card = JSON.parse(new TextDecoder().decode(files.cardBytes)) as typeof card;
    } catch {
      throw apiError(400, ApiErrorCode.ValidationFailed, `${version}/model-card.json is not JSON`);
    }
    if (card.version !== version || typeof card.model?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(card.model.sha256)) {
      throw apiError(400, ApiErrorCode.ValidationFailed, `${version}/model-card.json must name version ${version} and a model.sha256`);
    }
    const now = Date.now();
    const release = Object.assign(new ModelReleaseEntity(), {
      version,
      sha256: card.model.sha256,
      stages,
      shadowMs: b.shadowMs as number,
      maxDisagreement: b.maxDisagreement as number,
      state: 'rolling_out',
      currentStage: -1,
      haltReason: null,
      createdAt: now,
      createdBy: (b.by as string).trim(),
      updatedAt: now,
    });
    if (!(await this.store.createRelease(release))) throw apiError(409, ApiErrorCode.ReleaseExists, `release ${version} exists; publish a new version instead`);
    await this.rollout.run();
    const r = await this.store.release(version);
    return releaseDto(r!.release, r!.sites);
  }

  /**
   * A site holds one release's chunks at a time (the downlink subjects are per site and chunk
   * index), so a second release sent there while the first is undecided would corrupt both.
   */
  private async sitesWithReleaseInFlight(sites: Set<string>): Promise<Array<{ site: string; version: string }>> {
    const rolling = await Promise.all((await this.store.releasesRollingOut()).map((r) => this.store.release(r.version)));
    return rolling.flatMap((r) => (r?.sites ?? []).filter((s) => sites.has(s.site) && s.state !== 'promoted' && s.state !== 'rolled_back').map((s) => ({ site: s.site, version: s.version })));
  }
}
