import { Body, Controller, Get, Headers, HttpException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response as ExpressResponse } from 'express';
import {
  SupplierApi,
  SupplierErrorCode,
  validateIdempotencyKey,
  validateSupplierOrderRequest,
  type SupplierErrorBody,
  type SupplierOrderConfirmation,
  type SupplierOrderList,
  type SupplierOrderRecord,
} from '@millwright/supplier-contracts';
import { FaultInjector, type FaultKind } from './fault.injector';
import { HeldConnections } from './held-connections.registry';
import { SupplierOrderStore, confirmationOf } from './supplier-order.store';
import { SupplierStatsCounter } from './supplier-stats.counter';

type Answer = { status: number; body: SupplierOrderConfirmation | SupplierErrorBody };

const error = (code: SupplierErrorCode, message: string): SupplierErrorBody => ({ code, message });

@ApiTags('orders')
@Controller(SupplierApi.ordersPath.slice(1))
export class SupplierOrdersHttpController {
  constructor(
    private readonly store: SupplierOrderStore,
    private readonly faults: FaultInjector,
    private readonly stats: SupplierStatsCounter,
    private readonly connections: HeldConnections,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Place an order: 201 when accepted now, 200 with the same body on a repeat of the key, 409 when the key was used for another body' })
  @ApiHeader({ name: SupplierApi.idempotencyKeyHeader, required: true, description: '1-128 visible ASCII characters, one per intended order' })
  async place(@Headers('idempotency-key') key: string | undefined, @Body() body: unknown, @Res() res: ExpressResponse): Promise<void> {
    this.stats.count('requests');
    // Drawn on arrival, before any delay, so the fault sequence follows the request order.
    const fault = this.faults.draw();
    const { delayMs, retryAfterSeconds } = this.faults.current();
    if (delayMs > 0 && !(await this.connections.delay(delayMs))) {
      res.socket?.destroy();
      return;
    }
    if (fault.kind !== 'none' && !fault.afterAccept) return this.strike(fault.kind, res, retryAfterSeconds);
    const answer = this.process(key, body);
    // The order may be recorded by now; only its answer is lost. This is what idempotency keys are for.
    if (fault.kind !== 'none') return this.strike(fault.kind, res, retryAfterSeconds);
    res.status(answer.status).json(answer.body);
  }

  @Get()
  @ApiOperation({ summary: 'Accepted orders, oldest first' })
  @ApiQuery({ name: 'orderId', required: false, description: "Only the orders placed for this buyer's order id" })
  list(@Query('orderId') orderId?: string): SupplierOrderList {
    return { items: this.store.list(orderId === '' ? undefined : orderId) };
  }

  @Get(':supplierOrderId')
  @ApiOperation({ summary: 'One accepted order' })
  get(@Param('supplierOrderId') id: string): SupplierOrderRecord {
    const record = this.store.get(id);
    if (!record) throw new HttpException(error(SupplierErrorCode.OrderNotFound, `no order ${id}`), 404);
    return record;
  }

  private process(rawKey: string | undefined, body: unknown): Answer {
    const key = validateIdempotencyKey(rawKey);
    if (!key.ok) return this.invalid(key.message);
    const order = validateSupplierOrderRequest(body);
    if (!order.ok) return this.invalid(order.message);
    const placed = this.store.place(key.value, order.value);
    switch (placed.outcome) {
      case 'accepted':
        this.stats.count('accepted');
        return { status: 201, body: confirmationOf(placed.record) };
      case 'duplicate':
        this.stats.count('duplicates');
        return { status: 200, body: confirmationOf(placed.record) };
      case 'conflict':
        this.stats.count('rejected');
        return {
          status: 409,
          body: error(SupplierErrorCode.IdempotencyKeyReused, `this Idempotency-Key was used for order ${placed.record.supplierOrderId} with a different body`),
        };
    }
  }

  private invalid(message: string): Answer {
    this.stats.count('rejected');
    return { status: 400, body: error(SupplierErrorCode.ValidationFailed, message) };
  }

  private async strike(kind: Exclude<FaultKind, 'none'>, res: ExpressResponse, retryAfterSeconds: number): Promise<void> {
    if (kind === 'timeout') {
      this.stats.count('timedOut');
      return this.connections.hold(res);
    }
    this.stats.count('failed');
    if (retryAfterSeconds > 0) res.setHeader('Retry-After', String(retryAfterSeconds));
    res.status(503).json(error(SupplierErrorCode.Unavailable, 'the supplier is unavailable (injected fault)'));
  }
}
