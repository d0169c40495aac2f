import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorCode } from '@millwright/contracts';
import { apiError } from '@millwright/observability';
import { AuditLog } from './audit.log';
import { CurrentUser, RequireRole } from './session.guard';
import type { SessionClaims } from './session.tokens';
import { MAINTENANCE_UPSTREAM, type UpstreamClient } from './upstream.client';

const ACTIONS = new Set(['approve', 'reject', 'cancel', 'receive', 'install']);
// Saying no to an order, or stopping it, must say why: the next shift reads the timeline.
const NEEDS_REASON = new Set(['reject', 'cancel']);

/**
 * Orders and policies through the maintenance service. The console signs actions with the
 * signed-in user (`by`), so the order's own timeline names the person, and records them in its
 * audit log, refusals and failures included.
 */
@ApiTags('orders')
@Controller('api/v1')
export class ConsoleOrdersHttpController {
  constructor(
    @Inject(MAINTENANCE_UPSTREAM) private readonly maintenance: UpstreamClient,
    private readonly audit: AuditLog,
  ) {}

  @Get('orders')
  @ApiOperation({ summary: 'Replacement orders, newest first (state, asset, open, limit, after as the maintenance API)' })
  list(@Query() query: Record<string, string>): Promise<unknown> {
    const q = new URLSearchParams();
    for (const k of ['state', 'site', 'asset', 'open', 'limit', 'after']) if (typeof query[k] === 'string') q.set(k, query[k]);
    return this.maintenance.json(`/api/v1/orders?${q}`);
  }

  @Get('orders/:id')
  @ApiOperation({ summary: 'One order with its timeline' })
  one(@Param('id') id: string): Promise<unknown> {
    return this.maintenance.json(`/api/v1/orders/${encodeURIComponent(id)}`);
  }

  @Post('orders/:id/:action')
  @HttpCode(200)
  @RequireRole('technician')
  @ApiOperation({ summary: 'Technician action on an order: approve, reject, cancel, receive, install (reject and cancel need a reason)' })
  async act(@Param('id') id: string, @Param('action') action: string, @Body() body: { reason?: unknown }, @CurrentUser() user: SessionClaims): Promise<unknown> {
    if (!ACTIONS.has(action)) throw apiError(400, ApiErrorCode.ValidationFailed, `action must be one of ${[...ACTIONS].join(', ')}`);
    const reason = typeof body?.reason === 'string' ? body.reason.trim().slice(0, 500) : '';
    if (NEEDS_REASON.has(action) && !reason) throw apiError(400, ApiErrorCode.ReasonRequired, `${action} needs a reason`);
    const target = `order ${id}`;
    try {
      const order = await this.maintenance.json(`/api/v1/orders/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: { by: user.user, reason } });
      this.audit.record({ user: user.user, role: user.role, action: `order.${action}`, target, outcome: 'ok', reason });
      return order;
    } catch (e) {
      this.audit.record({ user: user.user, role: user.role, action: `order.${action}`, target, outcome: 'failed', reason, detail: (e as Error).message });
      throw e;
    }
  }

  @Get('policies')
  @ApiOperation({ summary: 'Replacement policies per asset class' })
  policies(): Promise<unknown> {
    return this.maintenance.json('/api/v1/policies');
  }

  @Put('policies/:assetClass')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Admin: create or change the replacement policy of an asset class' })
  async putPolicy(@Param('assetClass') assetClass: string, @Body() body: unknown, @CurrentUser() user: SessionClaims): Promise<unknown> {
    const target = `policy ${assetClass}`;
    try {
      const p = await this.maintenance.json(`/api/v1/policies/${encodeURIComponent(assetClass)}`, { method: 'PUT', body });
      this.audit.record({ user: user.user, role: user.role, action: 'policy.put', target, outcome: 'ok', detail: JSON.stringify(body).slice(0, 500) });
      return p;
    } catch (e) {
      this.audit.record({ user: user.user, role: user.role, action: 'policy.put', target, outcome: 'failed', detail: (e as Error).message });
      throw e;
    }
  }

  @Get('audit')
  @RequireRole('admin')
  @ApiOperation({ summary: "Admin: the console's audit log, newest first" })
  auditLog(@Query('limit') limit?: string): { items: unknown[] } {
    const n = Math.min(Math.max(Number(limit) || 100, 1), 1000);
    return { items: this.audit.recent(n) };
  }
}
