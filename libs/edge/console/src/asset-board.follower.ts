import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { LiveOrderEvent } from '@millwright/console-contracts';
import { Subjects, decodeTwinChangeFrame, type OrderEventV1 } from '@millwright/contracts';
import { NATS_CONNECTION } from '@millwright/messaging';
import type { NatsConnection, Subscription } from 'nats';
import { AssetBoard, assetKey, type TwinLike } from './asset-board';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options';
import { LiveEventsHub } from './live-events.hub';
import { MAINTENANCE_UPSTREAM, TWIN_UPSTREAM, type UpstreamClient } from './upstream.client';

/**
 * Keeps the asset board current: subscribes to twin-changed and order events first, then reads every
 * twin and open order (so nothing falls between the read and the subscription), re-reads a twin
 * when its events show a gap, and pushes changed rows to browsers every `liveFlushMs`.
 */
@Injectable()
export class AssetBoardFollower implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('AssetBoard');
  private readonly subs: Subscription[] = [];
  private readonly refetch = new Set<string>();
  private timer?: NodeJS.Timeout;
  private hydrated = false;
  private stopped = false;
  private readonly readings: Array<{ at: number; n: number }> = [];

  constructor(
    readonly board: AssetBoard,
    private readonly hub: LiveEventsHub,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(TWIN_UPSTREAM) private readonly twins: UpstreamClient,
    @Inject(MAINTENANCE_UPSTREAM) private readonly maintenance: UpstreamClient,
    @Inject(CONSOLE_OPTIONS) private readonly o: ConsoleOptions,
  ) {}

  get isHydrated(): boolean {
    return this.hydrated;
  }

  /** Readings applied per second over the last 10 s. */
  private dropOldReadings(now: number): void {
    while (this.readings.length && this.readings[0].at < now - 10_000) this.readings.shift();
  }

  ingestPerSecond(now = Date.now()): number {
    this.dropOldReadings(now);
    return this.readings.reduce((s, r) => s + r.n, 0) / 10;
  }

  onApplicationBootstrap(): void {
    const site = this.o.site || '*';
    this.subs.push(
      this.nc.subscribe(this.o.site ? Subjects.twinChanges(site) : Subjects.allTwinChanges, { callback: (_e, m) => this.onTwinChanges(m.data) }),
      this.nc.subscribe(this.o.site ? `order.v1.${site}.*` : Subjects.allOrderEvents, { callback: (_e, m) => this.onOrderEvent(m.json<OrderEventV1>()) }),
    );
    this.timer = setInterval(() => void this.tick(), this.o.liveFlushMs);
    void this.hydrate();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const s of this.subs) s.unsubscribe();
  }

  private onTwinChanges(data: Uint8Array): void {
    let frame;
    try {
      frame = decodeTwinChangeFrame(data);
    } catch (e) {
      this.log.warn(`twin change frame dropped: ${(e as Error).message}`);
      return;
    }
    let n = 0;
    for (const ev of frame.events) {
      n += ev.changes.readings?.length ?? 0;
      const outcome = this.board.applyTwinChanged(ev);
      if (outcome === 'gap' || outcome === 'unknown') this.refetch.add(assetKey(ev.site, ev.asset));
    }
    if (n) {
      const now = Date.now();
      // Trimmed here too: nobody may ask for the rate for days (no browser open), and the list must not grow.
      this.dropOldReadings(now);
      this.readings.push({ at: now, n });
    }
  }

  private onOrderEvent(ev: OrderEventV1): void {
    this.board.applyOrderEvent(ev);
    const live: LiveOrderEvent = { orderId: ev.orderId, site: ev.site, asset: ev.asset, from: ev.from, to: ev.to, action: ev.action, actor: ev.actor, reason: ev.reason, at: ev.at };
    this.hub.send('order', live);
  }

  private async hydrate(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        let after: string | null = null;
        do {
          const q = new URLSearchParams({ limit: '1000' });
          if (this.o.site) q.set('site', this.o.site);
          if (after) q.set('after', after);
          const page: { items: TwinLike[]; next: string | null } = await this.twins.json(`/api/v1/twins?${q}`);
          for (const t of page.items) this.board.upsertTwin(t);
          after = page.next;
        } while (after);
        // Not a readiness check: the console must keep serving (and say what is missing) when a service is down.
        this.hydrated = true;
        this.log.log(`${this.board.size} assets read`);
        break;
      } catch (e) {
        if (attempt % 10 === 0) this.log.warn(`reading assets: ${(e as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.readOpenOrders();
        return;
      } catch (e) {
        if (attempt % 10 === 0) this.log.warn(`reading open orders: ${(e as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async readOpenOrders(): Promise<void> {
    let after: string | null = null;
    // Newest first: the first open order seen for an asset is its current one.
    const seen = new Set<string>();
    do {
      const q = new URLSearchParams({ open: 'true', limit: '1000' });
      if (this.o.site) q.set('site', this.o.site);
      if (after) q.set('after', after);
      const page: { items: Array<{ id: string; site: string; asset: string; state: string }>; next: string | null } = await this.maintenance.json(`/api/v1/orders?${q}`);
      for (const o of page.items) {
        const key = assetKey(o.site, o.asset);
        if (seen.has(key)) continue;
        seen.add(key);
        this.board.applyOrderEvent({ orderId: o.id, site: o.site, asset: o.asset, to: o.state });
      }
      after = page.next;
    } while (after);
  }

  private async tick(): Promise<void> {
    const keys = [...this.refetch].slice(0, 50);
    for (const k of keys) this.refetch.delete(k);
    await Promise.all(
      keys.map(async (k) => {
        try {
          this.board.upsertTwin(await this.twins.json<TwinLike>(`/api/v1/twins/${k}`));
        } catch {
          this.refetch.add(k);
        }
      }),
    );
    const changed = this.board.takeDirty();
    if (changed.length) this.hub.send('assets', changed);
  }
}
