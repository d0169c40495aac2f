import type { ReportedValue } from '@millwright/contracts';

/** Sensor-name lists stored once per database and referred to by a small id. */
export interface SensorSetIndex {
  idOf(names: string[]): number;
  namesOf(id: number): readonly string[] | undefined;
}

const SHARED = 1;
const PER_SENSOR = 2;
const HEADER = 5;

/**
 * Reported state as stored in `asset_twin.reported`: a blob of float64s in the order of a sensor
 * set. It is rewritten for every changed twin of every ingest batch, so its size and its encoding
 * time are on the hot path: the usual case, every sensor from the same reading, needs one timestamp
 * and one seq (~210 bytes for 24 sensors, a third of the JSON text, and no number-to-text work).
 *
 *   [1][set id u32][ts][seq][v1..vn]            every sensor from one reading
 *   [2][set id u32]([v][ts][seq]) x n           sensors from different readings
 */
export function encodeReported(reported: Record<string, ReportedValue>, names: string[], sets: SensorSetIndex): Buffer | string {
  const n = names.length;
  if (n === 0) return '{}';
  const first = reported[names[0]];
  let shared = true;
  for (let i = 1; i < n && shared; i++) {
    const r = reported[names[i]];
    shared = r.ts === first.ts && r.seq === first.seq;
  }
  const buf = Buffer.allocUnsafe(HEADER + (shared ? 16 + 8 * n : 24 * n));
  buf.writeUInt8(shared ? SHARED : PER_SENSOR, 0);
  buf.writeUInt32LE(sets.idOf(names), 1);
  let o = HEADER;
  if (shared) {
    o = buf.writeDoubleLE(first.ts, o);
    o = buf.writeDoubleLE(first.seq, o);
    for (let i = 0; i < n; i++) o = buf.writeDoubleLE(reported[names[i]].v, o);
  } else {
    for (let i = 0; i < n; i++) {
      const r = reported[names[i]];
      o = buf.writeDoubleLE(r.v, o);
      o = buf.writeDoubleLE(r.ts, o);
      o = buf.writeDoubleLE(r.seq, o);
    }
  }
  return buf;
}

/** Reads either the blob above or the JSON text of rows written before it (`{"T50":[v,ts,seq],...}`). */
export function decodeReported(stored: Buffer | string, sets: SensorSetIndex): Record<string, ReportedValue> {
  const out: Record<string, ReportedValue> = {};
  if (typeof stored === 'string') {
    const raw = JSON.parse(stored) as Record<string, [number, number, number]>;
    for (const name in raw) out[name] = { v: raw[name][0], ts: raw[name][1], seq: raw[name][2] };
    return out;
  }
  const kind = stored.readUInt8(0);
  const setId = stored.readUInt32LE(1);
  const names = sets.namesOf(setId);
  if (!names) throw new Error(`reported state refers to unknown sensor set ${setId}`);
  let o = HEADER;
  if (kind === SHARED) {
    const ts = stored.readDoubleLE(o);
    const seq = stored.readDoubleLE(o + 8);
    o += 16;
    for (const name of names) {
      out[name] = { v: stored.readDoubleLE(o), ts, seq };
      o += 8;
    }
  } else if (kind === PER_SENSOR) {
    for (const name of names) {
      out[name] = { v: stored.readDoubleLE(o), ts: stored.readDoubleLE(o + 8), seq: stored.readDoubleLE(o + 16) };
      o += 24;
    }
  } else {
    throw new Error(`unknown reported encoding ${kind}`);
  }
  return out;
}
