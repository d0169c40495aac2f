import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AssetPage, AssetRow, HealthStatus, SiteSummary } from '@millwright/console-contracts';
import { CENTRAL_UPSTREAM, type UpstreamClient } from './upstream.client';

type CentralAsset = Record<string, unknown> & { site: string; asset: string };

/** Reads a central asset into a table row, tolerating either flat fields or a twin-like `derived`. */
export function centralAssetRow(a: CentralAsset): AssetRow {
  const derived = (a.derived ?? {}) as { health?: { status?: string }; prediction?: { rul?: number; failureRisk?: number; modelVersion?: string } };
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const health = (typeof a.health === 'string' ? a.health : (a.health as { status?: string } | undefined)?.status ?? derived.health?.status) as HealthStatus | undefined;
  const order = a.openOrder as { id?: string; state?: string } | null | undefined;
  return {
    site: a.site,
    asset: a.asset,
    assetClass: typeof a.assetClass === 'string' ? a.assetClass : null,
    health: health && ['ok', 'warning', 'critical'].includes(health) ? health : 'unknown',
    rul: num(a.rul) ?? num(derived.prediction?.rul),
    risk: num(a.failureRisk) ?? num(a.risk) ?? num(derived.prediction?.failureRisk),
    modelVersion: typeof a.modelVersion === 'string' ? a.modelVersion : (derived.prediction?.modelVersion ?? null),
    // The asset platform sends ISO-8601 times.
    lastSeenAt: num(a.lastSeenAt) ?? (typeof a.lastSeenAt === 'string' && Number.isFinite(Date.parse(a.lastSeenAt)) ? Date.parse(a.lastSeenAt) : null),
    openOrder: order?.id ? { id: order.id, state: order.state ?? 'open' } : null,
    version: num(a.version) ?? 0,
  };
}

/**
 * Fleet mode: the same UI on the central platform, all sites. Sites and assets come from the
 * asset platform's API (GET /api/v1/sites, GET /api/v1/assets?site=...); browsers poll instead
 * of following events.
 */
@ApiTags('fleet')
@Controller('api/v1')
export class FleetHttpController {
  constructor(@Inject(CENTRAL_UPSTREAM) private readonly central: UpstreamClient) {}

  @Get('sites')
  @ApiOperation({ summary: 'Sites known to the central platform' })
  async sites(): Promise<{ items: SiteSummary[] }> {
    const body = await this.central.json<{ items?: SiteSummary[] } | SiteSummary[]>('/api/v1/sites');
    return { items: Array.isArray(body) ? body : (body.items ?? []) };
  }

  @Get('assets')
  @ApiOperation({ summary: "One site's assets (or every site's) from the central platform, as table rows" })
  async assets(@Query('site') site?: string, @Query('health') health?: string): Promise<AssetPage & { hydrated: boolean }> {
    const items: AssetRow[] = [];
    for (let offset = 0; ; offset += 1000) {
      const q = new URLSearchParams({ limit: '1000', offset: String(offset) });
      if (site) q.set('site', site);
      if (health) q.set('health', health);
      const body = await this.central.json<{ items: CentralAsset[]; total?: number }>(`/api/v1/assets?${q}`);
      items.push(...body.items.map(centralAssetRow));
      if (body.items.length < 1000 || items.length >= 50_000) break;
    }
    return { items, total: items.length, hydrated: true };
  }
}
