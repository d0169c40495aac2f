import { Injectable } from '@nestjs/common';
import { ApiErrorCode } from '@millwright/contracts';
import { MaintenanceSqliteStore, type OutboxItem } from '@millwright/maintenance-data-access';
import { OrderTransitionError, STAFF_ACTIONS, transition, type OrderAction, type ReplacementOrder } from '@millwright/maintenance-domain';
import { apiError } from '@millwright/observability';
import { orderEvents } from './order-events.factory';

/** What staff do to orders: each action is one transaction with the events (and placing) it implies. */
@Injectable()
export class OrderActionsService {
  constructor(private readonly store: MaintenanceSqliteStore) {}

  act(id: string, action: string, by: string, reason: string, now = Date.now()): ReplacementOrder {
    if (!STAFF_ACTIONS.has(action as OrderAction)) {
      throw apiError(400, ApiErrorCode.ValidationFailed, `unknown action '${action}'; staff can ${[...STAFF_ACTIONS].join(', ')}`);
    }
    const order = this.store.order(id);
    if (!order) throw apiError(404, ApiErrorCode.OrderNotFound, `no order ${id}`);
    let next: ReplacementOrder;
    const work: OutboxItem[] = [];
    try {
      next = transition(order, action as OrderAction, { kind: 'staff', id: by }, reason, now);
      if (action === 'approve') {
        next = transition(next, 'place', { kind: 'system', id: 'maintenance' }, `approved by ${by}; ordering from ${order.supplier}`, now);
        work.push({ kind: 'place_order', payload: {} });
      }
    } catch (e) {
      if (e instanceof OrderTransitionError) {
        throw apiError(e.code === 'illegal_transition' ? 409 : 400, e.code === 'illegal_transition' ? ApiErrorCode.IllegalTransition : ApiErrorCode.ReasonRequired, e.message, { state: order.state });
      }
      throw e;
    }
    const saved = this.store.saveTransition(next, order.state, [...orderEvents(next, order.audit.length + 1), ...work], now, { bumpEpisode: action === 'install' });
    if (!saved) throw apiError(409, ApiErrorCode.IllegalTransition, `order ${id} changed meanwhile; read it again`);
    return next;
  }
}
