import type { AssetTwin } from '@millwright/twin-domain';

/** A twin whose row is behind it: its changes since the row was written are only in the twin log. */
export interface DirtyMark {
  twin: AssetTwin;
  /** twin_log id of the first change logged for the twin since its row was last written. */
  readonly sinceLogId: number;
  /** When it became dirty (epoch ms). */
  readonly sinceMs: number;
}

export interface FlushPolicy {
  /** A dirty twin older than this is written at the next commit. */
  flushDelayMs: number;
  /** Above this many dirty twins, younger ones are written too. */
  maxDirty: number;
  /** Most twins one commit writes, so that a commit never stalls for long. */
  maxFlushPerCommit: number;
}

export interface FlushPlan {
  /** Marks to write in this commit, oldest first. */
  due: Array<[string, DirtyMark]>;
  /** `sinceLogId` of the oldest mark the plan leaves dirty (the written ones aside); none: every old mark goes. */
  oldestLeft?: number;
}

/**
 * The dirty twins of the write-behind store, oldest first. Marks are added in twin_log id order
 * (one commit's after the previous one's, and in log order within it), so the first mark always
 * holds the lowest `sinceLogId`: the checkpoint is read off the head of the map, and the twins due
 * for writing are a prefix of it.
 */
export class DirtyTwinsTracker {
  private readonly marks = new Map<string, DirtyMark>();

  get size(): number {
    return this.marks.size;
  }

  has(key: string): boolean {
    return this.marks.has(key);
  }

  get(key: string): DirtyMark | undefined {
    return this.marks.get(key);
  }

  /**
   * Marks a twin dirty. A twin already dirty keeps its place and `sinceLogId`: its row lacks every
   * reading since the first one, so replay must start there.
   */
  mark(key: string, twin: AssetTwin, sinceLogId: number, nowMs: number): void {
    const m = this.marks.get(key);
    if (m) m.twin = twin;
    else this.marks.set(key, { twin, sinceLogId, sinceMs: nowMs });
  }

  /** Its row now holds the whole twin. */
  clear(key: string): void {
    this.marks.delete(key);
  }

  /** Every mark, oldest first. */
  entries(): IterableIterator<[string, DirtyMark]> {
    return this.marks.entries();
  }

  /**
   * Which marks one commit should write, without changing anything (the commit may still roll
   * back): the oldest ones older than the flush delay, then more while the dirty count stays above
   * `maxDirty`, at most `maxFlushPerCommit`. `written` are keys the commit writes anyway (they
   * count as gone), `added` how many twins it will newly mark.
   */
  plan(nowMs: number, policy: FlushPolicy, written: ReadonlySet<string>, added: number): FlushPlan {
    let left = this.marks.size + added;
    for (const key of written) if (this.marks.has(key)) left--;
    const due: Array<[string, DirtyMark]> = [];
    for (const entry of this.marks) {
      if (written.has(entry[0])) continue;
      const m = entry[1];
      if (due.length >= policy.maxFlushPerCommit || (nowMs - m.sinceMs < policy.flushDelayMs && left <= policy.maxDirty)) return { due, oldestLeft: m.sinceLogId };
      due.push(entry);
      left--;
    }
    return { due };
  }
}
