import { TwinChangeFrameWriter } from '@millwright/contracts';
import type { NatsConnection } from 'nats';

/** Twin-changed events of one site, framed for `twin.v1.changed.<site>`. */
export interface ChangeFrame {
  site: string;
  frame: Uint8Array;
  events: number;
}

/** Below NATS's default 1 MiB max_payload with room to spare. */
const MAX_FRAME_BYTES = 512 * 1024;

/** The most a frame may hold on this connection: MAX_FRAME_BYTES, or less when the server allows less. */
export function frameLimit(nc: Pick<NatsConnection, 'info'>): number {
  return Math.min(MAX_FRAME_BYTES, nc.info?.max_payload ?? MAX_FRAME_BYTES);
}

/**
 * Frames a commit's changes: a frame per site (a twin service normally serves one; a store shared by
 * several gets frames per site), cut into more frames when one would pass the size limit. Each event
 * is written whole into the writer `writerFor` returns; `take` ends the frames. Writers are kept
 * across commits, so their buffers grow once.
 */
export class TwinChangeFramer {
  private readonly writers = new Map<string, TwinChangeFrameWriter>();
  private readonly open = new Set<TwinChangeFrameWriter>();
  private frames: ChangeFrame[] = [];

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** The writer for the next event of `site`. */
  writerFor(site: string): TwinChangeFrameWriter {
    let w = this.writers.get(site);
    if (!w) this.writers.set(site, (w = new TwinChangeFrameWriter(site)));
    if (!this.open.has(w)) {
      w.reset(site);
      this.open.add(w);
    } else if (w.byteLength >= this.maxFrameBytes / 2) {
      // Cut before half the limit is passed, so that the next event (one twin's changes of a
      // commit) fits in the rest; an event too big for a frame of its own still goes alone.
      this.end(w);
    }
    return w;
  }

  /** The frames of every event written since the last take, in order per site. */
  take(): ChangeFrame[] {
    for (const w of this.open) if (w.eventCount > 0) this.end(w);
    this.open.clear();
    const frames = this.frames;
    this.frames = [];
    return frames;
  }

  /**
   * Drops what was written since the last take. After a write failed part-way through an event, a
   * writer would refuse the next one; a framer kept across commits must start clean after it.
   */
  discard(): void {
    for (const w of this.open) w.reset(w.site);
    this.open.clear();
    this.frames = [];
  }

  private end(w: TwinChangeFrameWriter): void {
    this.frames.push({ site: w.site, frame: w.finish(), events: w.eventCount });
    w.reset(w.site);
  }
}
