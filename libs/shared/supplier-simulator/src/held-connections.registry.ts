import type { OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Requests the simulator deliberately leaves unanswered. The server cannot close while they are
 * open, so shutdown cuts them (without an answer, as a crashed supplier would) instead of waiting.
 */
export class HeldConnections implements OnModuleDestroy {
  private readonly held = new Set<Response>();
  private readonly shutdown = new AbortController();

  constructor(private readonly maxHoldMs: number) {}

  /** Never answers; resolves once the client has given up, the hold limit passed or the app stops. */
  hold(res: Response): Promise<void> {
    this.held.add(res);
    return new Promise<void>((resolve) => {
      const cut = setTimeout(() => res.socket?.destroy(), this.maxHoldMs);
      cut.unref();
      res.once('close', () => {
        clearTimeout(cut);
        this.held.delete(res);
        resolve();
      });
      if (this.shutdown.signal.aborted) res.socket?.destroy();
    });
  }

  /** Waits `ms`; false when the app is stopping and the request should be dropped. */
  async delay(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.shutdown.signal });
      return true;
    } catch {
      return false;
    }
  }

  onModuleDestroy(): void {
    this.shutdown.abort();
    for (const res of this.held) res.socket?.destroy();
  }
}
