import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DeadLetterRow, SiteHealth } from '@millwright/console-contracts';
import { Streams, type DeadLetterV1 } from '@millwright/contracts';
import { NATS_CONNECTION } from '@millwright/messaging';
import type { JetStreamManager, NatsConnection } from 'nats';
import { AssetBoardFollower } from './asset-board.follower';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options';
import { LiveEventsHub } from './live-events.hub';


/**
 * The site's plumbing as maintenance staff need to see it: is data coming in, is anything piling
 * up, is the uplink there. Cached for 2 s: on nats-server 2.9 consumer info of a filtered consumer
 * scans the stream, so every open browser must not ask for it on its own.
 */
@Injectable()
export class SiteHealthService implements OnApplicationBootstrap, OnApplicationShutdown {
  private cached?: { at: number; value: Promise<SiteHealth> };
  private jsm?: Promise<JetStreamManager>;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly follower: AssetBoardFollower,
    private readonly hub: LiveEventsHub,
    @Inject(CONSOLE_OPTIONS) private readonly o: ConsoleOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.hub.count) void this.current().then((h) => this.hub.send('health', h)).catch(() => undefined);
    }, 5000);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  current(): Promise<SiteHealth> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > 2000) this.cached = { at: now, value: this.measure() };
    return this.cached.value;
  }

  async deadLetters(limit: number): Promise<DeadLetterRow[]> {
    const jsm = await this.manager();
    let last: number;
    try {
      last = (await jsm.streams.info(Streams.deadLetters.name)).state.last_seq;
    } catch {
      return [];
    }
    const out: DeadLetterRow[] = [];
    for (let seq = last; seq > 0 && out.length < limit && last - seq < limit * 4; seq--) {
      try {
        const m = await jsm.streams.getMessage(Streams.deadLetters.name, { seq });
        const d = m.json<DeadLetterV1>();
        out.push({ seq, subject: d.subject, reason: d.reason, detail: d.detail, rejectedAt: d.rejectedAt, payload: d.payload.slice(0, 500) });
      } catch {
        // deleted by the stream's limits
      }
    }
    return out;
  }

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= this.nc.jetstreamManager();
    return this.jsm;
  }

  private async measure(): Promise<SiteHealth> {
    const connected = !this.nc.isClosed() && this.nc.info !== undefined;
    const jsm = await this.manager().catch(() => undefined);
    const safe = async <T>(f: () => Promise<T>): Promise<T | null> => {
      try {
        return await f();
      } catch {
        return null;
      }
    };
    const [backlog, deadLetters, syncBacklog, link] = await Promise.all([
      safe(async () => {
        const c = await jsm!.consumers.info(Streams.telemetry.name, Streams.telemetry.twinConsumer);
        return c.num_pending + c.num_ack_pending;
      }),
      safe(async () => (await jsm!.streams.info(Streams.deadLetters.name)).state.messages),
      safe(async () => (await jsm!.streams.info(Streams.syncOut.name)).state.messages),
      this.linkState(),
    ]);
    return { site: this.o.site || null, ingestPerSecond: this.follower.ingestPerSecond(), backlog, deadLetters, syncBacklog, link, broker: connected ? 'connected' : 'disconnected', at: Date.now() };
  }

  private async linkState(): Promise<SiteHealth['link']> {
    if (!this.o.natsMonitorUrl) return 'unknown';
    try {
      const res = await fetch(`${this.o.natsMonitorUrl}/leafz`, { signal: AbortSignal.timeout(1000) });
      if (!res.ok) return 'unknown';
      const body = (await res.json()) as { leafnodes?: number };
      return (body.leafnodes ?? 0) > 0 ? 'up' : 'down';
    } catch {
      return 'unknown';
    }
  }
}
