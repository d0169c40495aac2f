import type { AssetRow, LiveOrderEvent, SessionInfo, SiteHealth } from '@millwright/console-contracts';

/** An error answer of the console API, with its machine-readable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok) throw new ApiError(res.status, body.code ?? 'error', body.message ?? `HTTP ${res.status}`);
  return body as T;
}

type Listener = () => void;

/**
 * The browser's copy of the assets table and the live event stream feeding it. Views subscribe and
 * re-render on change; rows arrive coalesced from the server, at most every half second.
 */
export class LiveStore {
  readonly rows = new Map<string, AssetRow>();
  hydrated = false;
  version = 0;
  health: SiteHealth | null = null;
  connected = false;
  private readonly listeners = new Set<Listener>();
  private readonly orderListeners = new Set<(e: LiveOrderEvent) => void>();
  private source?: EventSource;
  private poll?: number;
  private retry?: number;
  /** Bumped by stop(): loads started before it drop their answer. */
  private generation = 0;

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  onOrder(l: (e: LiveOrderEvent) => void): () => void {
    this.orderListeners.add(l);
    return () => this.orderListeners.delete(l);
  }

  async load(session: SessionInfo, site: string | null): Promise<void> {
    const q = site ? `?site=${encodeURIComponent(site)}` : '';
    const generation = this.generation;
    const page = await api<{ items: AssetRow[]; hydrated: boolean }>(`/api/v1/assets${q}`);
    // A site switch (or stop) while this was in flight: its rows belong to the old view.
    if (generation !== this.generation) return;
    this.rows.clear();
    for (const r of page.items) this.rows.set(`${r.site}/${r.asset}`, r);
    this.hydrated = page.hydrated;
    this.changed();
    // The board may still be reading the site when the page opens: look again shortly.
    if (!page.hydrated) this.retry = window.setTimeout(() => void this.load(session, site), 1000);
  }

  start(session: SessionInfo, site: string | null): void {
    this.stop();
    void this.load(session, site);
    if (session.mode === 'fleet') {
      // The central platform has no event stream for browsers yet: poll.
      this.poll = window.setInterval(() => void this.load(session, site), 15_000);
      return;
    }
    const es = new EventSource('/api/v1/events');
    this.source = es;
    es.addEventListener('open', () => {
      this.connected = true;
      this.changed();
    });
    es.addEventListener('error', () => {
      this.connected = false;
      this.changed();
    });
    es.addEventListener('hello', () => {
      // After a reconnect, changes may have been missed: read the table again.
      if (this.hydrated) void this.load(session, site);
    });
    es.addEventListener('assets', (e) => {
      for (const r of JSON.parse((e as MessageEvent<string>).data) as AssetRow[]) this.rows.set(`${r.site}/${r.asset}`, r);
      this.changed();
    });
    es.addEventListener('order', (e) => {
      const ev = JSON.parse((e as MessageEvent<string>).data) as LiveOrderEvent;
      for (const l of this.orderListeners) l(ev);
    });
    es.addEventListener('health', (e) => {
      this.health = JSON.parse((e as MessageEvent<string>).data) as SiteHealth;
      this.changed();
    });
  }

  stop(): void {
    this.generation++;
    this.source?.close();
    this.source = undefined;
    window.clearInterval(this.poll);
    window.clearTimeout(this.retry);
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}

export const liveStore = new LiveStore();
