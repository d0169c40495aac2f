import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';

/**
 * Browsers following `GET /api/v1/events` (server-sent events: one-way, reconnects by itself,
 * passes proxies as plain HTTP). A comment line every 15 s keeps idle connections from being cut.
 */
@Injectable()
export class LiveEventsHub implements OnApplicationShutdown {
  private readonly clients = new Set<Response>();
  private readonly keepAlive = setInterval(() => this.write(': keep-alive\n\n'), 15_000).unref();

  get count(): number {
    return this.clients.size;
  }

  add(res: Response): void {
    res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  send(event: string, data: unknown): void {
    if (this.clients.size) this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  onApplicationShutdown(): void {
    clearInterval(this.keepAlive);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private write(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }
}
