import { Logger } from '@nestjs/common';
import type { TwinChangedV1 } from '@millwright/contracts';

/**
 * Twin-changed events inside the process that committed them, in commit order and without loss.
 * The same events also go out on NATS (at most once, for other services); a consumer in this process
 * that must see every change (the upstream outbox) listens here instead: under load the server drops
 * messages to a client whose own ingest already fills its buffer, and the process would drop its own
 * events.
 */
export class TwinChangeFeed {
  private readonly log = new Logger(TwinChangeFeed.name);
  private readonly listeners = new Set<(e: TwinChangedV1) => void>();

  /** Returns the function that unsubscribes. */
  subscribe(listener: (e: TwinChangedV1) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether anyone listens: a producer that would have to build the events first can skip that. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  emit(e: TwinChangedV1): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        // A failing listener must not fail the commit path that emits.
        this.log.error(`twin change listener failed: ${(err as Error).message}`);
      }
    }
  }
}
