/**
 * The order lifecycle. `placed` means the intent to order is committed (with its outbox entry);
 * `confirmed` means the supplier accepted it. Terminal states end the order; an order in any other
 * state is open and blocks a second order for the same asset, part and failure episode.
 */
export const ORDER_STATES = [
  'proposed', 'awaiting_approval', 'approved', 'placed', 'confirmed', 'shipped', 'received', 'installed',
  'rejected', 'cancelled', 'failed',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<OrderState> = new Set(['installed', 'rejected', 'cancelled', 'failed']);

export type OrderAction = 'request_approval' | 'approve' | 'reject' | 'place' | 'confirm' | 'ship' | 'receive' | 'install' | 'cancel' | 'fail';

/** Who did it: a person (by user name) or the system (with what drove it). */
export interface Actor {
  kind: 'staff' | 'system' | 'supplier';
  id: string;
}

export interface AuditEntry {
  at: number;
  from: OrderState | null;
  to: OrderState;
  action: OrderAction | 'propose';
  actor: Actor;
  reason: string;
  /** For automatic steps: the prediction and model behind them. */
  evidence?: Record<string, unknown>;
}

export interface ReplacementOrder {
  id: string;
  site: string;
  asset: string;
  assetClass: string;
  partNumber: string;
  supplier: string;
  quantity: number;
  unitCost: number;
  currency: string;
  /** Failure episode of the asset: it grows when a part is installed. */
  episode: number;
  state: OrderState;
  /** Time the part should arrive by (epoch ms), from the prediction. */
  neededBy: number;
  supplierOrderId: string | null;
  createdAt: number;
  updatedAt: number;
  audit: AuditEntry[];
}

/** Which action leads from which states to which state. */
const TRANSITIONS: Record<OrderAction, { from: readonly OrderState[]; to: OrderState }> = {
  request_approval: { from: ['proposed'], to: 'awaiting_approval' },
  approve: { from: ['proposed', 'awaiting_approval'], to: 'approved' },
  reject: { from: ['proposed', 'awaiting_approval'], to: 'rejected' },
  place: { from: ['approved'], to: 'placed' },
  confirm: { from: ['placed'], to: 'confirmed' },
  ship: { from: ['confirmed'], to: 'shipped' },
  receive: { from: ['confirmed', 'shipped'], to: 'received' },
  install: { from: ['received'], to: 'installed' },
  cancel: { from: ['proposed', 'awaiting_approval', 'approved', 'placed', 'confirmed', 'shipped'], to: 'cancelled' },
  fail: { from: ['placed'], to: 'failed' },
};

/** Staff may only take these actions; the others belong to the system and the supplier. */
export const STAFF_ACTIONS: ReadonlySet<OrderAction> = new Set(['approve', 'reject', 'cancel', 'receive', 'install']);

export class OrderTransitionError extends Error {
  constructor(
    readonly code: 'illegal_transition' | 'reason_required',
    message: string,
  ) {
    super(message);
    this.name = 'OrderTransitionError';
  }
}

export function isOpen(state: OrderState): boolean {
  return !TERMINAL_STATES.has(state);
}

/** Applies an action, or throws an OrderTransitionError; the order is not modified. */
export function transition(order: ReplacementOrder, action: OrderAction, actor: Actor, reason: string, now: number, evidence?: Record<string, unknown>): ReplacementOrder {
  const t = TRANSITIONS[action];
  if (!t.from.includes(order.state)) {
    throw new OrderTransitionError('illegal_transition', `cannot ${action} an order that is ${order.state}`);
  }
  if (actor.kind === 'staff' && (action === 'reject' || action === 'cancel') && reason.trim() === '') {
    throw new OrderTransitionError('reason_required', `${action} needs a reason`);
  }
  const entry: AuditEntry = { at: now, from: order.state, to: t.to, action, actor, reason, ...(evidence ? { evidence } : {}) };
  return { ...order, state: t.to, updatedAt: now, audit: [...order.audit, entry] };
}

/** What the system decides when it proposes an order; the rest of the order follows from it. */
export type ProposeInput = Omit<ReplacementOrder, 'state' | 'supplierOrderId' | 'createdAt' | 'updatedAt' | 'audit'> & {
  reason: string;
  evidence: Record<string, unknown>;
};

/** A new order as the system proposes it from a prediction. */
export function propose(i: ProposeInput, now: number): ReplacementOrder {
  const { reason, evidence, ...rest } = i;
  return {
    ...rest,
    state: 'proposed',
    supplierOrderId: null,
    createdAt: now,
    updatedAt: now,
    audit: [{ at: now, from: null, to: 'proposed', action: 'propose', actor: { kind: 'system', id: 'maintenance' }, reason, evidence }],
  };
}
