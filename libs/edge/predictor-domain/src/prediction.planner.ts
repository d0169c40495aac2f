import type { TwinChangedV1 } from '@millwright/contracts';
import type { ReadingValues } from './reading-values';
import { AssetWindowStore } from './asset-window.store';
import { HeldReadings } from './held-readings.buffer';

/** What the active model needs of a window (from its card). */
export interface WindowModelSpec {
  features: readonly string[];
  length: number;
  mean: readonly number[];
  std: readonly number[];
}

export type ChangeOutcome = 'queued' | 'resync' | 'ignored';

/** What the planner reads of a twin change: its versions and readings, as maps or packed. */
export type PlannedChange = Pick<TwinChangedV1, 'site' | 'asset' | 'version' | 'fromVersion' | 'cause'> & { changes: { readings?: readonly ReadingValues[] } };

export interface PlannedBatch {
  /** Assets (`site/asset`) whose windows are in `input`, in order. */
  keys: string[];
  /** Newest reading seq of each window. */
  basedOnSeq: number[];
  /** [keys.length, length * features], time-major, normalised. */
  input: Float32Array;
  /** Assets that changed but have too little history for a prediction. */
  insufficient: Array<{ key: string; have: number; basedOnSeq: number }>;
}

interface HistoryPoint {
  seq: number;
  values: Readonly<Record<string, number>>;
}

/** An asset whose history is being fetched: the newest twin version seen meanwhile and the readings that came with it. */
interface Resync {
  version: number;
  /** Created on the first reading; undefined after a model change made the held vectors meaningless. */
  readings?: HeldReadings;
  /** A model with other features was adopted during the fetch: the result must not be trusted. */
  stale: boolean;
}

/**
 * Decides, from twin-changed events, which assets to predict and builds their model inputs. Events
 * are at-most-once notifications with versions: when one is missed (its `fromVersion` is not the
 * version last seen) the asset's window is rebuilt from history instead of trusted. No I/O: the
 * caller fetches history and runs the model.
 */
export class PredictionPlanner {
  private windows: AssetWindowStore;
  private readonly versions = new Map<string, number>();
  /**
   * Assets whose history is being fetched, with what arrived meanwhile: only the newest `length`
   * readings (older ones cannot reach the window), so a slow twin service cannot make this grow.
   */
  private readonly resyncing = new Map<string, Resync>();
  private readonly dirty = new Set<string>();

  constructor(private spec: WindowModelSpec) {
    this.windows = new AssetWindowStore(spec.features, spec.length);
  }

  get windowLength(): number {
    return this.spec.length;
  }

  /**
   * Adopts a new model's window spec. If its features or length differ, every window is dropped
   * and rebuilt from history on the asset's next change. Returns true when that happened.
   */
  setSpec(spec: WindowModelSpec): boolean {
    const same = spec.length === this.spec.length && spec.features.length === this.spec.features.length && spec.features.every((f, i) => f === this.spec.features[i]);
    this.spec = spec;
    if (same) return false;
    this.windows = new AssetWindowStore(spec.features, spec.length);
    this.versions.clear();
    this.dirty.clear();
    for (const r of this.resyncing.values()) {
      r.stale = true;
      r.readings = undefined;
    }
    return true;
  }

  onTwinChanged(e: PlannedChange): ChangeOutcome {
    const key = `${e.site}/${e.asset}`;
    const pending = this.resyncing.get(key);
    if (pending) {
      this.hold(pending, e);
      return 'ignored';
    }
    const known = this.versions.get(key);
    if (known !== undefined && e.version <= known) return 'ignored';
    if (known === undefined || e.fromVersion !== known) {
      const held: Resync = { version: 0, stale: false };
      this.hold(held, e);
      this.resyncing.set(key, held);
      return 'resync';
    }
    this.versions.set(key, e.version);
    return this.applyReadings(key, e) ? 'queued' : 'ignored';
  }

  /** History fetched for a resync (oldest first) and the twin version it reflects. */
  completeResync(key: string, twinVersion: number, history: readonly HistoryPoint[]): void {
    const held = this.resyncing.get(key);
    this.resyncing.delete(key);
    // Fetched for another model's window: without a known version, the next change fetches again.
    if (held?.stale) return;
    this.windows.reset(key, history);
    // Readings that arrived during the fetch: appending skips those the history already had.
    if (held?.readings) for (const r of held.readings.inOrder()) this.windows.appendVector(key, r.seq, r.vector);
    this.versions.set(key, Math.max(twinVersion, held?.version ?? 0));
    this.dirty.add(key);
  }

  /** The fetch failed: forget the attempt so that the next event tries again. */
  failResync(key: string): void {
    this.resyncing.delete(key);
  }

  get pendingAssets(): number {
    return this.dirty.size;
  }

  /** Values in one window of the current model. */
  get inputSize(): number {
    return this.spec.length * this.spec.features.length;
  }

  /**
   * Takes up to `max` changed assets and builds their inputs, into `scratch` when it is large
   * enough (the returned input is then a view of it, valid until the caller reuses it).
   */
  takeBatch(max: number, scratch?: Float32Array): PlannedBatch {
    const keys: string[] = [];
    const basedOnSeq: number[] = [];
    const insufficient: PlannedBatch['insufficient'] = [];
    const size = this.inputSize;
    const need = Math.min(max, this.dirty.size) * size;
    const input = scratch && scratch.length >= need ? scratch : new Float32Array(need);
    for (const key of this.dirty) {
      if (keys.length >= max) break;
      this.dirty.delete(key);
      const have = this.windows.count(key);
      if (have < this.spec.length) {
        insufficient.push({ key, have, basedOnSeq: this.windows.lastSeq(key) });
        continue;
      }
      this.windows.writeNormalised(key, this.spec.mean, this.spec.std, input, keys.length * size);
      keys.push(key);
      basedOnSeq.push(this.windows.lastSeq(key));
    }
    return { keys, basedOnSeq, input: input.subarray(0, keys.length * size), insufficient };
  }

  private hold(held: Resync, e: PlannedChange): void {
    held.version = Math.max(held.version, e.version);
    if (held.stale || e.cause !== 'telemetry' || !e.changes.readings) return;
    held.readings ??= new HeldReadings(this.windows.reader, this.spec.length);
    for (const r of e.changes.readings) held.readings.add(r);
  }

  private applyReadings(key: string, e: PlannedChange): boolean {
    if (e.cause !== 'telemetry' || !e.changes.readings?.length) return false;
    for (const r of e.changes.readings) this.windows.append(key, r);
    this.dirty.add(key);
    return true;
  }
}
