import { jsonOf } from './json-text';
import type { TwinChangedV1 } from './twin-events.schema';

/**
 * Twin changes on the wire: one message per commit on `twin.v1.changed.<site>`, holding every
 * change of that commit as a binary frame. A twin service commits up to a thousand readings at a
 * time; as one JSON event per change, formatting the readings' numbers as text and one NATS message
 * each cost more than everything else on the ingest path (and as much again in the server, which
 * routes every message). The numbers travel here as IEEE 754 doubles, exactly as stored.
 *
 * Layout (little-endian; a "string" is a u8 byte length and that many ASCII bytes: site, asset and
 * sensor names are restricted to ASCII by the telemetry contract):
 *
 *   magic       4 bytes  'MWT1'
 *   site        string
 *   sets        u16 count, then per set: u8 name count, names (strings)
 *                        (the sensor names of readings, in value order; readings name their set)
 *   events      u32 count, then per event:
 *     asset       string
 *     cause       u8       0 telemetry, 1 desired, 2 derived
 *     hasExtra    u8       1 when a JSON part follows the numbers
 *     version, fromVersion, lastSeq, at   f64 each
 *     extra       (hasExtra) u32 byte length, UTF-8 JSON of { desired?, derived?, metadata? }
 *     readings    u32 count, then per reading: seq f64, ts f64, set u16, one f64 per name of the set
 */
export const TWIN_CHANGE_FRAME_MAGIC = 'MWT1';

const CAUSES: ReadonlyArray<TwinChangedV1['cause']> = ['telemetry', 'desired', 'derived'];
const MAX_STRING = 255;
const MAX_SETS = 0xffff;

/** What one message on `twin.v1.changed.<site>` holds. */
export interface TwinChangeFrameV1 {
  site: string;
  events: TwinChangedV1[];
}

/** A frame that cannot be read; `code` is what consumers count it under. */
export class TwinChangeFrameError extends Error {
  readonly code = 'invalid_twin_change_frame';
  constructor(message: string) {
    super(message);
    this.name = 'TwinChangeFrameError';
  }
}

type Extra = TwinChangedV1['changes'];
type ReadingOf = NonNullable<Extra['readings']>[number];

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The JSON part's sections in the order written, by their keys in `{ desired?, derived?, metadata? }`. */
const EXTRA_SECTIONS = ['desired', 'derived', 'metadata'] as const;
/** `{"desired":` ... `,"metadata":`: what comes before a section's text, first or not. */
const SECTION_OPEN = EXTRA_SECTIONS.map((k) => [`{"${k}":`, `,"${k}":`] as const);

/**
 * Bytes of an event's JSON part, or -1 when it has none. The part is written from each section's
 * own text (the store has usually serialised the same objects already), measured here and written
 * by `writeExtra` with nothing kept in between: no joined string, no encoded copy, no list per event.
 */
function extraLength(c: Extra): number {
  let n = 0;
  let sections = 0;
  for (let k = 0; k < EXTRA_SECTIONS.length; k++) {
    const section = c[EXTRA_SECTIONS[k]];
    if (section === undefined) continue;
    n += SECTION_OPEN[k][sections++ === 0 ? 0 : 1].length + Buffer.byteLength(jsonOf(section), 'utf8');
  }
  return sections === 0 ? -1 : n + 1; // and the closing brace
}

function writeExtra(c: Extra, out: Uint8Array, at: number): number {
  let o = at;
  for (let k = 0; k < EXTRA_SECTIONS.length; k++) {
    const section = c[EXTRA_SECTIONS[k]];
    if (section === undefined) continue;
    const open = SECTION_OPEN[k][o === at ? 0 : 1];
    for (let i = 0; i < open.length; i++) out[o++] = open.charCodeAt(i);
    o += utf8.encodeInto(jsonOf(section), out.subarray(o)).written;
  }
  out[o++] = 0x7d; // }
  return o;
}

function checkAscii(s: string, what: string): void {
  if (s.length > MAX_STRING) throw new TwinChangeFrameError(`${what} '${s.slice(0, 40)}...' is longer than ${MAX_STRING} characters`);
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) throw new TwinChangeFrameError(`${what} '${s}' is not ASCII`);
}

function sameNames(names: readonly string[], values: Record<string, number>): boolean {
  let i = 0;
  for (const name in values) if (names[i++] !== name) return false;
  return i === names.length;
}

/** Cause and JSON-part flag, four float64s, the reading count. */
const EVENT_HEAD_BYTES = 2 + 32 + 4;
/** An event of an empty asset with no JSON part and no readings. */
const MIN_EVENT_BYTES = 1 + EVENT_HEAD_BYTES;
const READING_HEAD_BYTES = 18;

/**
 * Writes one frame event by event, reading by reading, straight into its buffer: the ingest path
 * frames a commit's readings from the bytes its log already holds, with no event or reading objects
 * in between. The buffer is kept across frames; `finish` returns each frame as a copy of its own.
 */
export class TwinChangeFrameWriter {
  // Grows to what the frames need and is kept at that size (a writer is meant to be reused).
  private body = new Uint8Array(4096);
  private view = new DataView(this.body.buffer);
  private used = 0;
  private events = 0;
  private siteId = '';
  private readonly sets: Array<readonly string[]> = [];
  /** Sets by array identity: a caller that reuses one array per set (the store does) finds it at once. */
  private readonly setIndex = new Map<readonly string[], number>();
  private readonly setByKey = new Map<string, number>();
  private lastSet = -1;
  private readingsLeft = 0;

  constructor(site?: string) {
    if (site !== undefined) this.reset(site);
  }

  /** Starts a new frame of `site`. */
  reset(site: string): void {
    checkAscii(site, 'site');
    this.siteId = site;
    this.used = 0;
    this.events = 0;
    this.sets.length = 0;
    this.setIndex.clear();
    this.setByKey.clear();
    this.lastSet = -1;
    this.readingsLeft = 0;
  }

  get site(): string {
    return this.siteId;
  }

  get eventCount(): number {
    return this.events;
  }

  /** Bytes of the events written so far (the frame adds its preamble). */
  get byteLength(): number {
    return this.used;
  }

  /**
   * Starts an event; exactly `readingCount` readings must follow (`reading` or `readingValues`).
   * The JSON part holds what `changes` has of desired, derived and metadata.
   */
  event(asset: string, cause: TwinChangedV1['cause'], version: number, fromVersion: number, lastSeq: number, at: number, changes: Extra | undefined, readingCount: number): void {
    if (this.readingsLeft !== 0) throw new TwinChangeFrameError(`event before the last one's ${this.readingsLeft} remaining readings`);
    checkAscii(asset, 'asset');
    const causeCode = CAUSES.indexOf(cause);
    if (causeCode < 0) throw new TwinChangeFrameError(`unknown cause '${String(cause)}'`);
    const extra = changes ? extraLength(changes) : -1;
    this.reserve(1 + asset.length + EVENT_HEAD_BYTES + (extra >= 0 ? 4 + extra : 0));
    const out = this.body;
    let o = this.used;
    out[o++] = asset.length;
    for (let i = 0; i < asset.length; i++) out[o++] = asset.charCodeAt(i);
    out[o++] = causeCode;
    out[o++] = extra >= 0 ? 1 : 0;
    this.view.setFloat64(o, version, true);
    this.view.setFloat64(o + 8, fromVersion, true);
    this.view.setFloat64(o + 16, lastSeq, true);
    this.view.setFloat64(o + 24, at, true);
    o += 32;
    if (extra >= 0) {
      this.view.setUint32(o, extra, true);
      const end = writeExtra(changes!, out, o + 4);
      if (end !== o + 4 + extra) throw new TwinChangeFrameError(`the JSON part of ${asset}'s event changed while it was framed`);
      o = end;
    }
    this.view.setUint32(o, readingCount, true);
    this.used = o + 4;
    this.readingsLeft = readingCount;
    this.events++;
  }

  /** A reading of the current event, its values given as one little-endian float64 per name. */
  reading(seq: number, ts: number, names: readonly string[], values: Uint8Array): void {
    if (values.length !== 8 * names.length) throw new TwinChangeFrameError(`${values.length} value bytes for ${names.length} sensors`);
    const o = this.readingHead(seq, ts, this.setOfNames(names), values.length);
    this.body.set(values, o);
    this.used = o + values.length;
  }

  /** A reading of the current event, its values by sensor name. */
  readingValues(seq: number, ts: number, values: Record<string, number>): void {
    const set = this.setOfValues(values);
    const names = this.sets[set];
    let o = this.readingHead(seq, ts, set, 8 * names.length);
    for (let k = 0; k < names.length; k++, o += 8) this.view.setFloat64(o, values[names[k]], true);
    this.used = o;
  }

  /** A whole event with its readings (`event`, then `readingValues` for each). */
  add(e: TwinChangedV1): void {
    if (e.site !== this.siteId) throw new TwinChangeFrameError(`event of site '${e.site}' in a frame of site '${this.siteId}'`);
    const readings = e.changes.readings ?? [];
    this.event(e.asset, e.cause, e.version, e.fromVersion, e.lastSeq, e.at, e.changes, readings.length);
    for (const r of readings) this.readingValues(r.seq, r.ts, r.values);
  }

  /** The frame: preamble and events, in a buffer of its own. */
  finish(): Uint8Array {
    if (this.readingsLeft !== 0) throw new TwinChangeFrameError(`frame ended ${this.readingsLeft} readings short`);
    let size = 4 + 1 + this.siteId.length + 2 + 4;
    for (const names of this.sets) {
      size += 1;
      for (const n of names) size += 1 + n.length;
    }
    const head = size;
    const out = new Uint8Array(head + this.used);
    let o = 0;
    const str = (s: string) => {
      out[o++] = s.length;
      for (let i = 0; i < s.length; i++) out[o++] = s.charCodeAt(i);
    };
    for (; o < 4; o++) out[o] = TWIN_CHANGE_FRAME_MAGIC.charCodeAt(o);
    str(this.siteId);
    const view = new DataView(out.buffer);
    view.setUint16(o, this.sets.length, true);
    o += 2;
    for (const names of this.sets) {
      out[o++] = names.length;
      for (const n of names) str(n);
    }
    view.setUint32(o, this.events, true);
    out.set(this.body.subarray(0, this.used), head);
    return out;
  }

  private readingHead(seq: number, ts: number, set: number, valueBytes: number): number {
    if (this.readingsLeft <= 0) throw new TwinChangeFrameError('more readings than the event announced');
    this.readingsLeft--;
    this.reserve(READING_HEAD_BYTES + valueBytes);
    const o = this.used;
    this.view.setFloat64(o, seq, true);
    this.view.setFloat64(o + 8, ts, true);
    this.view.setUint16(o + 16, set, true);
    return o + READING_HEAD_BYTES;
  }

  private setOfNames(names: readonly string[]): number {
    if (this.lastSet >= 0 && this.sets[this.lastSet] === names) return this.lastSet;
    let i = this.setIndex.get(names);
    if (i === undefined) {
      i = this.addSet(names);
      this.setIndex.set(names, i);
    }
    return (this.lastSet = i);
  }

  /** Readings of one gateway nearly always carry the same names in the same order: compared with the last set first. */
  private setOfValues(values: Record<string, number>): number {
    if (this.lastSet >= 0 && sameNames(this.sets[this.lastSet], values)) return this.lastSet;
    const names = Object.keys(values);
    return (this.lastSet = this.addSet(names));
  }

  private addSet(names: readonly string[]): number {
    // Not joined by a separator: a name holding it would make two different sets one key.
    const key = JSON.stringify(names);
    let i = this.setByKey.get(key);
    if (i !== undefined) return i;
    if (names.length > MAX_STRING) throw new TwinChangeFrameError(`a reading with ${names.length} values cannot be framed`);
    if (this.sets.length >= MAX_SETS) throw new TwinChangeFrameError('too many distinct sensor sets in one frame');
    for (const n of names) checkAscii(n, 'sensor name');
    i = this.sets.length;
    this.sets.push(names);
    this.setByKey.set(key, i);
    return i;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.body.length) return;
    const next = new Uint8Array(Math.max(this.body.length * 2, this.used + n));
    next.set(this.body.subarray(0, this.used));
    this.body = next;
    this.view = new DataView(next.buffer);
  }
}

/** Encodes the changes of one site (every event's `site` must be `site`). */
export function encodeTwinChangeFrame(site: string, events: readonly TwinChangedV1[]): Uint8Array {
  const w = new TwinChangeFrameWriter(site);
  for (const e of events) w.add(e);
  return w.finish();
}

/** What `readTwinChangeHeads` gives of each event: everything but its readings and JSON part. */
export type TwinChangeHead = Pick<TwinChangedV1, 'asset' | 'cause' | 'version' | 'fromVersion' | 'lastSeq' | 'at'> & { readingCount: number };

/** Bounds-checked reads over one frame; every read past the end is a TwinChangeFrameError. */
class FrameReader {
  o = 0;
  private readonly view: DataView;
  private readonly end: number;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.end = data.byteLength;
  }

  get left(): number {
    return this.end - this.o;
  }

  need(n: number): void {
    if (this.o + n > this.end) throw new TwinChangeFrameError(`frame ends at byte ${this.end}, ${n} more needed at ${this.o}`);
  }

  u8(): number {
    this.need(1);
    return this.data[this.o++];
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.o, true);
    this.o += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.o, true);
    this.o += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.o, true);
    this.o += 8;
    return v;
  }

  f64At(offset: number): number {
    return this.view.getFloat64(offset, true);
  }

  str(): string {
    const n = this.u8();
    this.need(n);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.data[this.o + i]);
    this.o += n;
    return s;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.data.subarray(this.o, this.o + n);
    this.o += n;
    return b;
  }

  /** Magic, site and sensor sets: what comes before the events. Returns the event count. */
  preamble(): { site: string; sets: string[][]; eventCount: number } {
    this.need(4);
    const d = this.data;
    if (String.fromCharCode(d[0], d[1], d[2], d[3]) !== TWIN_CHANGE_FRAME_MAGIC) throw new TwinChangeFrameError('not a v1 twin change frame (bad magic)');
    this.o = 4;
    const site = this.str();
    const sets: string[][] = new Array(this.u16());
    for (let s = 0; s < sets.length; s++) {
      const names: string[] = new Array(this.u8());
      for (let i = 0; i < names.length; i++) {
        names[i] = this.str();
        // The names become keys of plain objects: `__proto__` would replace a prototype.
        if (names[i] in Object.prototype) throw new TwinChangeFrameError(`sensor name '${names[i]}' is not allowed`);
      }
      sets[s] = names;
    }
    const eventCount = this.u32();
    // Each event takes at least an empty asset and its head: a count larger than the rest of the frame is a lie.
    if (eventCount * MIN_EVENT_BYTES > this.left) throw new TwinChangeFrameError(`${eventCount} events cannot fit in ${this.left} bytes`);
    return { site, sets, eventCount };
  }

  /** An event up to its readings; leaves the reader at the first reading. */
  head(i: number): { asset: string; cause: TwinChangedV1['cause']; version: number; fromVersion: number; lastSeq: number; at: number; extra?: Uint8Array } {
    const asset = this.str();
    const causeCode = this.u8();
    const cause = CAUSES[causeCode];
    if (cause === undefined) throw new TwinChangeFrameError(`event ${i}: unknown cause ${causeCode}`);
    const hasExtra = this.u8() === 1;
    const version = this.f64();
    const fromVersion = this.f64();
    const lastSeq = this.f64();
    const at = this.f64();
    const extra = hasExtra ? this.bytes(this.u32()) : undefined;
    return { asset, cause, version, fromVersion, lastSeq, at, extra };
  }

  readingCount(i: number): number {
    const n = this.u32();
    if (n * 18 > this.left) throw new TwinChangeFrameError(`event ${i}: ${n} readings cannot fit in ${this.left} bytes`);
    return n;
  }

  /** Seq, ts and sensor set of the next reading; leaves the reader at its values. */
  readingHead(sets: readonly string[][], i: number, j: number): { seq: number; ts: number; set: number; names: string[] } {
    const seq = this.f64();
    const ts = this.f64();
    const set = this.u16();
    const names = sets[set];
    if (names === undefined) throw new TwinChangeFrameError(`reading ${j} of event ${i} names an unknown sensor set`);
    this.need(8 * names.length);
    return { seq, ts, set, names };
  }

  done(): void {
    if (this.o !== this.end) throw new TwinChangeFrameError(`${this.end - this.o} bytes after the last event`);
  }
}

/**
 * A reading as it sits in a frame: value `i` belongs to sensor `names[i]` and is `values[at + i]`.
 * `names` arrays are shared (the same sensors in the same order give the same array, across
 * frames too), so a consumer can map them to its own order once and reuse that mapping.
 */
export interface PackedReading {
  seq: number;
  ts: number;
  names: readonly string[];
  values: Float64Array;
  at: number;
}

/** A twin change with its readings packed (decodeTwinChangeFramePacked). */
export type PackedTwinChange = Omit<TwinChangedV1, 'changes'> & { changes: Omit<Extra, 'readings'> & { readings?: PackedReading[] } };

// Sensor-name lists interned across frames (bounded: made-up sets cannot grow it without end).
const internedSets = new Map<string, readonly string[]>();
const MAX_INTERNED_SETS = 1024;

function intern(names: string[]): readonly string[] {
  // Not joined by a separator: a name holding it would make two different sets one key.
  const key = JSON.stringify(names);
  const known = internedSets.get(key);
  if (known) return known;
  if (internedSets.size < MAX_INTERNED_SETS) internedSets.set(key, names);
  return names;
}

/** Reads one reading's values (the reader stands at them) and makes the caller's form of it. */
type ReadingDecoder<R> = (r: FrameReader, names: readonly string[], set: number, seq: number, ts: number) => R;

/** The events of a frame, each reading made by `reading`; the JSON part parsed unless `withJson` is false. */
function decodeEvents<R>(
  r: FrameReader,
  sets: string[][],
  eventCount: number,
  site: string,
  withJson: boolean,
  reading: ReadingDecoder<R>,
): Array<Omit<TwinChangedV1, 'changes'> & { changes: Omit<Extra, 'readings'> & { readings?: R[] } }> {
  const events = new Array<Omit<TwinChangedV1, 'changes'> & { changes: Omit<Extra, 'readings'> & { readings?: R[] } }>(eventCount);
  for (let i = 0; i < eventCount; i++) {
    const { asset, cause, version, fromVersion, lastSeq, at, extra } = r.head(i);
    let changes: Omit<Extra, 'readings'> & { readings?: R[] } = {};
    if (extra && withJson) {
      try {
        changes = JSON.parse(utf8Decoder.decode(extra)) as typeof changes;
      } catch (e) {
        throw new TwinChangeFrameError(`event ${i}: JSON part unreadable: ${(e as Error).message}`);
      }
      if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) throw new TwinChangeFrameError(`event ${i}: JSON part is not an object`);
    }
    const readingCount = r.readingCount(i);
    if (readingCount > 0) {
      const readings: R[] = new Array(readingCount);
      for (let j = 0; j < readingCount; j++) {
        const { seq, ts, set, names } = r.readingHead(sets, i, j);
        readings[j] = reading(r, names, set, seq, ts);
      }
      changes.readings = readings;
    }
    events[i] = { site, asset, version, fromVersion, cause, at, changes, lastSeq };
  }
  r.done();
  return events;
}

/**
 * Reads a frame with every reading's values left in one Float64Array for the whole frame: no object
 * per sensor value, for consumers that copy values into their own structures (the predictor).
 * With `readingsOnly` the JSON part of each event (desired, derived, metadata) is skipped unread and
 * `changes` holds the readings alone: a consumer that follows versions and readings then pays nothing
 * for the predictions the twin service announces (half of all events when every reading gets one).
 * Throws TwinChangeFrameError for anything that is not a whole, valid v1 frame.
 */
export function decodeTwinChangeFramePacked(data: Uint8Array, opts: { readingsOnly?: boolean } = {}): { site: string; events: PackedTwinChange[] } {
  const r = new FrameReader(data);
  const { site, sets, eventCount } = r.preamble();
  const shared = sets.map(intern);
  // Made on the first reading (frames of predictions have none). Values are copied as they are read
  // (the frame's bytes need not be 8-byte aligned); a frame cannot hold more of them than it has
  // 8-byte words.
  let values: Float64Array | undefined;
  let used = 0;
  const events = decodeEvents<PackedReading>(r, sets, eventCount, site, !opts.readingsOnly, (r, names, set, seq, ts) => {
    values ??= new Float64Array(data.byteLength >> 3);
    const n = names.length;
    for (let k = 0; k < n; k++) values[used + k] = r.f64At(r.o + 8 * k);
    r.o += 8 * n;
    const reading = { seq, ts, names: shared[set], values, at: used };
    used += n;
    return reading;
  });
  return { site, events };
}

/** Reads a frame; throws TwinChangeFrameError for anything that is not a whole, valid v1 frame. */
export function decodeTwinChangeFrame(data: Uint8Array): TwinChangeFrameV1 {
  const r = new FrameReader(data);
  const { site, sets, eventCount } = r.preamble();
  const events = decodeEvents<ReadingOf>(r, sets, eventCount, site, true, (r, names, _set, seq, ts) => {
    // Names are checked against Object.prototype's members when the frame's sets are read.
    const values: Record<string, number> = {};
    for (let k = 0; k < names.length; k++) values[names[k]] = r.f64At(r.o + 8 * k);
    r.o += 8 * names.length;
    return { seq, ts, values };
  });
  return { site, events: events as TwinChangedV1[] };
}

/**
 * The heads of a frame's events without their readings or JSON: for consumers that only follow
 * versions and sequence numbers (progress, gap detection), at a fraction of a full decode's cost.
 */
export function readTwinChangeHeads(data: Uint8Array): { site: string; heads: TwinChangeHead[] } {
  const r = new FrameReader(data);
  const { site, sets, eventCount } = r.preamble();
  const heads: TwinChangeHead[] = new Array(eventCount);
  for (let i = 0; i < eventCount; i++) {
    const { asset, cause, version, fromVersion, lastSeq, at } = r.head(i);
    const readingCount = r.readingCount(i);
    for (let j = 0; j < readingCount; j++) {
      const skip = 8 * r.readingHead(sets, i, j).names.length;
      r.o += skip;
    }
    heads[i] = { asset, cause, version, fromVersion, lastSeq, at, readingCount };
  }
  r.done();
  return { site, heads };
}
