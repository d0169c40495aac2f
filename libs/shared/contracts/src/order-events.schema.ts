/**
 * Published on `order.v1.<site>.<asset>` for every transition of a replacement order (through an
 * outbox, so none is lost; `Nats-Msg-Id` = `<orderId>:<step>` makes redelivery harmless).
 */
export interface OrderEventV1 {
  orderId: string;
  site: string;
  asset: string;
  partNumber: string;
  /** Position of this transition in the order's audit trail, from 1. */
  step: number;
  from: string | null;
  to: string;
  action: string;
  actor: { kind: 'staff' | 'system' | 'supplier'; id: string };
  reason: string;
  at: number;
  supplierOrderId: string | null;
  evidence?: Record<string, unknown>;
}
