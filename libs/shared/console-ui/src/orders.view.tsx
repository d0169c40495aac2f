import type { SessionInfo } from '@millwright/console-contracts';
import { useEffect, useState } from 'preact/hooks';
import { api, liveStore } from './api.client';
import { useLoad } from './hooks';

interface Order {
  id: string;
  site: string;
  asset: string;
  partNumber: string;
  supplier: string;
  unitCost?: number;
  currency?: string;
  state: string;
  createdAt: number;
  supplierOrderId: string | null;
  audit: Array<{ at: number; from: string | null; to: string; action: string; actor: { kind: string; id: string }; reason: string }>;
}

const STATES = ['', 'awaiting_approval', 'approved', 'placed', 'confirmed', 'shipped', 'received', 'installed', 'rejected', 'cancelled', 'failed'];
const label = (s: string) => s.replace(/_/g, ' ');
const time = (t: number) => new Date(t).toLocaleString();

/** Re-reads on every order event the server pushes, so a placed or confirmed order shows at once. */
function useOrderEvents(reload: () => void): void {
  useEffect(() => liveStore.onOrder(() => reload()), []);
}

/** Approve or reject, with a reason (required to reject), confirmed in a small form. */
function OrderActions({ order, session, onDone }: { order: Order; session: SessionInfo; onDone: () => void }) {
  const [action, setAction] = useState<'approve' | 'reject' | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (order.state !== 'awaiting_approval') return null;
  if (session.role === 'viewer') return <p class="note">Awaiting approval by a technician.</p>;
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api(`/api/v1/orders/${order.id}/${action}`, { method: 'POST', body: { reason } });
      setAction(null);
      setReason('');
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  if (!action) {
    return (
      <div class="actions">
        <button type="button" class="primary" onClick={() => setAction('approve')}>Approve {order.asset}</button>
        <button type="button" onClick={() => setAction('reject')}>Reject {order.asset}</button>
      </div>
    );
  }
  return (
    <form class="action-form" onSubmit={submit} aria-label={`${action} order for ${order.asset}`}>
      <label>
        Reason{action === 'reject' ? ' (required)' : ''}
        <textarea required={action === 'reject'} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} rows={2} />
      </label>
      {error && <p role="alert" class="error">{error}</p>}
      <button type="submit" class="primary">Confirm {action}</button>
      <button type="button" onClick={() => setAction(null)}>Cancel</button>
    </form>
  );
}

export function OrdersView({ session }: { session: SessionInfo }) {
  const [state, setState] = useState('');
  const orders = useLoad(() => api<{ items: Order[] }>(`/api/v1/orders?limit=200${state ? `&state=${state}` : ''}`), [state]);
  useOrderEvents(orders.reload);
  const items = orders.data?.items ?? [];
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Replacement orders</h1>
      <div class="toolbar">
        <label>
          State
          <select value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            {STATES.map((s) => <option value={s}>{s ? label(s) : 'all'}</option>)}
          </select>
        </label>
        <p role="status" class="count">{orders.data ? `${items.length} orders` : 'loading orders…'}</p>
      </div>
      {orders.error && <p role="alert" class="error">{orders.error}</p>}
      <ul class="cards">
        {items.map((o) => (
          <li class="card" data-order={o.id} data-asset={o.asset} data-state={o.state}>
            <h2>
              <a href={`#/orders/${o.id}`}>{o.asset}</a> <span class={`state state-${o.state}`}>{label(o.state)}</span>
            </h2>
            <p>
              {o.partNumber} from {o.supplier}
              {o.unitCost !== undefined ? `, ${o.unitCost.toLocaleString()} ${o.currency ?? ''}` : ''} · {o.site} · created {time(o.createdAt)}
              {o.supplierOrderId ? ` · supplier order ${o.supplierOrderId}` : ''}
            </p>
            <OrderActions order={o} session={session} onDone={orders.reload} />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function OrderDetailView({ id, session }: { id: string; session: SessionInfo }) {
  const order = useLoad(() => api<Order>(`/api/v1/orders/${id}`), [id]);
  useOrderEvents(order.reload);
  const o = order.data;
  return (
    <section aria-labelledby="order-title">
      <p>
        <a href="#/orders">← All orders</a>
      </p>
      <h1 id="order-title">Order {id}</h1>
      {order.error && <p role="alert" class="error">{order.error}</p>}
      {o && (
        <>
          <p>
            <a href={`#/assets/${o.site}/${o.asset}`}>{o.asset}</a> · {o.partNumber} from {o.supplier} · <span class={`state state-${o.state}`} data-testid="order-state">{label(o.state)}</span>
          </p>
          <OrderActions order={o} session={session} onDone={order.reload} />
          <h2>Timeline</h2>
          <ol class="timeline">
            {o.audit.map((a) => (
              <li>
                <time dateTime={new Date(a.at).toISOString()}>{time(a.at)}</time> <strong>{label(a.to)}</strong> ({a.action} by {a.actor.kind} {a.actor.id}){a.reason ? `: ${a.reason}` : ''}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
