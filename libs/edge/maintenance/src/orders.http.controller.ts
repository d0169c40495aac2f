import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorCode } from '@millwright/contracts';
import { MaintenanceSqliteStore } from '@millwright/maintenance-data-access';
import { ORDER_STATES, checkReplacementPolicy, type OrderState, type ReplacementOrder, type ReplacementPolicy } from '@millwright/maintenance-domain';
import { apiError } from '@millwright/observability';
import { OrderActionsService } from './order-actions.service';
import { OutboxRelay } from './outbox.relay';
import { RequireApiRole } from '@millwright/http-auth';

interface ActionBody {
  reason?: unknown;
  by?: unknown;
}

@ApiTags('orders')
@Controller('api/v1')
export class OrdersHttpController {
  constructor(
    private readonly store: MaintenanceSqliteStore,
    private readonly actions: OrderActionsService,
    private readonly relay: OutboxRelay,
  ) {}

  @Get('orders')
  @ApiOperation({ summary: 'Replacement orders, newest first, in pages (pass `next` back as `after`)' })
  list(
    @Query('state') state?: string,
    @Query('site') site?: string,
    @Query('asset') asset?: string,
    @Query('open') open?: string,
    @Query('limit') limit?: string,
    @Query('after') after?: string,
  ): { items: ReplacementOrder[]; next: string | null } {
    if (state !== undefined && !(ORDER_STATES as readonly string[]).includes(state)) throw apiError(400, ApiErrorCode.ValidationFailed, `state must be one of ${ORDER_STATES.join(', ')}`);
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw apiError(400, ApiErrorCode.ValidationFailed, 'limit must be an integer from 1 to 1000');
    const cursor = after === undefined ? undefined : /^(\d+)\.([A-Za-z0-9-]{1,64})$/.exec(after);
    if (after !== undefined && !cursor) throw apiError(400, ApiErrorCode.ValidationFailed, 'after must be a cursor returned as `next`');
    const items = this.store.listOrders({
      state: state as OrderState | undefined,
      site,
      asset,
      open: open === undefined ? undefined : open === 'true',
      after: cursor ? { createdAt: Number(cursor[1]), id: cursor[2] } : undefined,
      limit: n + 1,
    });
    const page = items.slice(0, n);
    const last = page[page.length - 1];
    return { items: page, next: items.length > n && last ? `${last.createdAt}.${last.id}` : null };
  }

  @Get('orders/:id')
  @ApiOperation({ summary: 'One order with its whole timeline (audit trail)' })
  get(@Param('id') id: string): ReplacementOrder {
    const o = this.store.order(id);
    if (!o) throw apiError(404, ApiErrorCode.OrderNotFound, `no order ${id}`);
    return o;
  }

  @Post('orders/:id/:action')
  @ApiOperation({ summary: 'Staff action: approve, reject, cancel, receive or install, with a reason' })
  act(@Param('id') id: string, @Param('action') action: string, @Body() body: ActionBody): ReplacementOrder {
    const by = typeof body?.by === 'string' && body.by.trim() !== '' ? body.by.trim() : undefined;
    if (!by) throw apiError(400, ApiErrorCode.ValidationFailed, 'say who acts: {"by": "<user>"}');
    const reason = typeof body.reason === 'string' ? body.reason : '';
    const order = this.actions.act(id, action, by, reason);
    this.relay.kick();
    return order;
  }

  @Get('policies')
  @ApiOperation({ summary: 'Replacement policies per asset class' })
  policies(): { items: ReplacementPolicy[] } {
    return { items: this.store.policies() };
  }

  @RequireApiRole('admin')
  @Put('policies/:assetClass')
  @ApiOperation({ summary: 'Create or change the replacement policy of an asset class' })
  putPolicy(@Param('assetClass') assetClass: string, @Body() body: unknown): ReplacementPolicy {
    const p = parsePolicy({ ...(body as object), assetClass });
    this.store.upsertPolicy(p, Date.now());
    return p;
  }
}

/** A policy from staff over HTTP: a bad field is a 400 naming it. */
export function parsePolicy(raw: unknown): ReplacementPolicy {
  const r = checkReplacementPolicy(raw);
  if (!r.ok) throw apiError(400, ApiErrorCode.ValidationFailed, `${r.field} must be ${r.what}`, { field: r.field });
  return r.policy;
}
