/**
 * One stored reading as bytes, shared by the ingest log (many assets per commit) and history
 * chunks (one asset per row), so that moving readings from one to the other is a copy:
 *
 *   seq f64 | ts f64 | sensor set u32 | one f64 per name of the set      (all little-endian)
 *
 * In the ingest log each record is preceded by the asset's id (u32).
 */
export const RECORD_HEAD_BYTES = 20;

export const recordBytes = (valueCount: number): number => RECORD_HEAD_BYTES + 8 * valueCount;

/** Writes a record at `o`; values are taken from `values` in the order of `names`. Returns the end offset. */
export function writeRecord(view: DataView, o: number, seq: number, ts: number, setId: number, names: readonly string[], values: Readonly<Record<string, number>>): number {
  view.setFloat64(o, seq, true);
  view.setFloat64(o + 8, ts, true);
  view.setUint32(o + 16, setId, true);
  o += RECORD_HEAD_BYTES;
  for (let i = 0; i < names.length; i++) view.setFloat64(o + 8 * i, values[names[i]], true);
  return o + 8 * names.length;
}

export interface DecodedRecord {
  seq: number;
  ts: number;
  setId: number;
  /** The set's sensor names: value i, a float64 at `valuesAt + 8 * i`, is sensor `names[i]`'s. */
  names: readonly string[];
  valuesAt: number;
  /** Offset just past the record. */
  end: number;
}

/** Reads the record at `o`; `namesOf` gives a set's names (its length is the value count). */
export function readRecord(view: DataView, o: number, namesOf: (setId: number) => readonly string[] | undefined): DecodedRecord {
  const setId = view.getUint32(o + 16, true);
  const names = namesOf(setId);
  if (!names) throw new Error(`stored reading names unknown sensor set ${setId}`);
  const valuesAt = o + RECORD_HEAD_BYTES;
  const end = valuesAt + 8 * names.length;
  if (end > view.byteLength) throw new Error(`stored reading at byte ${o} runs past the end (${view.byteLength})`);
  return { seq: view.getFloat64(o, true), ts: view.getFloat64(o + 8, true), setId, names, valuesAt, end };
}

/** A decoded record's values by sensor name. */
export function readValues(view: DataView, r: DecodedRecord): Record<string, number> {
  const values: Record<string, number> = {};
  for (let i = 0; i < r.names.length; i++) values[r.names[i]] = view.getFloat64(r.valuesAt + 8 * i, true);
  return values;
}

export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
