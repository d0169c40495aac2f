import type { OrderEventV1 } from '@millwright/contracts';
import type { ReplacementOrder } from '@millwright/maintenance-domain';
import type { OutboxItem } from '@millwright/maintenance-data-access';

/** Outbox entries announcing the audit entries from `fromStep` on (1-based) as order events. */
export function orderEvents(order: ReplacementOrder, fromStep: number): OutboxItem[] {
  const out: OutboxItem[] = [];
  for (let i = fromStep - 1; i < order.audit.length; i++) {
    const a = order.audit[i];
    const event: OrderEventV1 = {
      orderId: order.id,
      site: order.site,
      asset: order.asset,
      partNumber: order.partNumber,
      step: i + 1,
      from: a.from,
      to: a.to,
      action: a.action,
      actor: a.actor,
      reason: a.reason,
      at: a.at,
      supplierOrderId: order.supplierOrderId,
      ...(a.evidence ? { evidence: a.evidence } : {}),
    };
    out.push({ kind: 'publish_event', payload: event });
  }
  return out;
}
