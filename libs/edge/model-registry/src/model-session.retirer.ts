import { Logger } from '@nestjs/common';
import type { InferenceSession } from 'onnxruntime-node';

/**
 * Releases replaced sessions once nothing uses them. Callers that lease a model are counted;
 * callers that only captured `current()` are covered by the grace delay, which must outlast one
 * micro-batch. A session is released when both its grace delay has passed and its leases are 0.
 */
export class SessionRetirer {
  private readonly log = new Logger(SessionRetirer.name);
  private readonly leases = new Map<InferenceSession, number>();
  private readonly retiring = new Map<InferenceSession, { graceOver: boolean; timer: NodeJS.Timeout }>();

  constructor(private readonly graceMs: number) {}

  /** Counts a user of `session`; the returned function ends the use (calling it twice is harmless). */
  lease(session: InferenceSession): () => void {
    this.leases.set(session, (this.leases.get(session) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.leases.get(session) ?? 1) - 1;
      if (left > 0) this.leases.set(session, left);
      else this.leases.delete(session);
      this.releaseIfIdle(session);
    };
  }

  leaseCount(session: InferenceSession): number {
    return this.leases.get(session) ?? 0;
  }

  isRetiring(session: InferenceSession): boolean {
    return this.retiring.has(session);
  }

  retire(session: InferenceSession): void {
    const timer = setTimeout(() => {
      const entry = this.retiring.get(session);
      if (entry) entry.graceOver = true;
      this.releaseIfIdle(session);
    }, this.graceMs);
    // A pending release must not keep a stopping process alive.
    timer.unref();
    this.retiring.set(session, { graceOver: false, timer });
  }

  /** Shutdown: release every retiring session now, in use or not. */
  async releaseAll(): Promise<void> {
    const sessions = [...this.retiring.keys()];
    for (const s of sessions) clearTimeout(this.retiring.get(s)!.timer);
    this.retiring.clear();
    await Promise.all(sessions.map((s) => this.release(s)));
  }

  private releaseIfIdle(session: InferenceSession): void {
    const entry = this.retiring.get(session);
    if (!entry?.graceOver || this.leaseCount(session) > 0) return;
    this.retiring.delete(session);
    void this.release(session);
  }

  private async release(session: InferenceSession): Promise<void> {
    await session.release().catch((e: Error) => this.log.warn(`releasing a replaced model session failed: ${e.message}`));
  }
}
