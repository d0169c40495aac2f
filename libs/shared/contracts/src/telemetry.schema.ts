import { IngestRejectCode } from './error-codes';
import { TelemetryLimits } from './limits';
import { parseTelemetrySubject } from './subjects';

/** One reading of one asset, as a gateway sends it (v1). */
export interface ReadingV1 {
  site: string;
  asset: string;
  /** Per-asset sequence number assigned by the gateway; it orders readings and makes redelivery harmless. */
  seq: number;
  /** Measurement time: epoch milliseconds or an ISO-8601 string on the wire, always epoch ms once parsed. */
  ts: number | string;
  /** Sensor name to value. */
  values: Record<string, number>;
  /** Optional sensor name to unit, for display. */
  units?: Record<string, string>;
  /** Optional asset class (e.g. `turbofan`), recorded in the twin's metadata. */
  assetClass?: string;
}

/** Several readings (any assets of one site) in one message (v1). */
export interface ReadingBatchV1 {
  site: string;
  gateway: string;
  readings: ReadingV1[];
}

/** A reading that passed validation. */
export interface Reading {
  site: string;
  asset: string;
  seq: number;
  ts: number;
  values: Record<string, number>;
  units?: Record<string, string>;
  assetClass?: string;
}

export interface Rejection {
  reason: IngestRejectCode;
  detail: string;
  /** Position in the batch, when one reading of a batch was refused. */
  index?: number;
  /** The refused reading itself, when the rest of its batch was accepted. */
  item?: unknown;
}

export interface ParsedTelemetry {
  readings: Reading[];
  rejections: Rejection[];
  /** Site named by the subject, when the subject could be read. */
  site?: string;
}

const ID = /^[A-Za-z0-9_-]+$/;
const SENSOR = /^[A-Za-z0-9_.:-]+$/;
// Sensor names repeat in every reading of a fleet: each distinct valid name is tested once. Bounded,
// so a stream of made-up names cannot grow it without limit.
const knownSensorNames = new Set<string>();
const MAX_KNOWN_SENSOR_NAMES = 4096;

function isValidSensorName(name: string): boolean {
  if (knownSensorNames.has(name)) return true;
  if (name.length > TelemetryLimits.maxIdLength || !SENSOR.test(name)) return false;
  // Names of Object.prototype members (`constructor`, `toString`, `__proto__`, ...) would be read back
  // as inherited members by every map keyed by sensor name, and `__proto__` would replace a prototype.
  if (name in Object.prototype) return false;
  if (knownSensorNames.size < MAX_KNOWN_SENSOR_NAMES) knownSensorNames.add(name);
  return true;
}

export function isValidId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= TelemetryLimits.maxIdLength && ID.test(v);
}

function reject(reason: IngestRejectCode, detail: string): Rejection {
  return { reason, detail };
}

/**
 * Validates one reading object. Returns the normalised reading or why it was refused.
 * `expectSite`/`expectAsset` come from the subject: a payload may not claim another site or asset
 * than the subject it was published on, or subject-based permissions would mean nothing.
 */
export function validateReading(raw: unknown, nowMs: number, expectSite: string, expectAsset?: string): Reading | Rejection {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject(IngestRejectCode.InvalidShape, 'reading must be a JSON object');
  const r = raw as Record<string, unknown>;
  if (!isValidId(r.site)) return reject(IngestRejectCode.InvalidId, 'site must be 1-64 characters of [A-Za-z0-9_-]');
  if (!isValidId(r.asset)) return reject(IngestRejectCode.InvalidId, 'asset must be 1-64 characters of [A-Za-z0-9_-]');
  if (r.site !== expectSite) return reject(IngestRejectCode.SubjectMismatch, `site '${r.site}' does not match the subject's site '${expectSite}'`);
  if (expectAsset !== undefined && r.asset !== expectAsset) {
    return reject(IngestRejectCode.SubjectMismatch, `asset '${r.asset}' does not match the subject's asset '${expectAsset}'`);
  }
  const seq = r.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return reject(IngestRejectCode.InvalidSeq, 'seq must be a non-negative integer');

  let ts: number;
  if (typeof r.ts === 'number') ts = r.ts;
  else if (typeof r.ts === 'string' && r.ts.length <= 40) ts = Date.parse(r.ts);
  else return reject(IngestRejectCode.InvalidTimestamp, 'ts must be epoch milliseconds or an ISO-8601 string');
  if (!Number.isFinite(ts) || ts < TelemetryLimits.minTimestampMs) return reject(IngestRejectCode.InvalidTimestamp, 'ts is not a plausible time');
  if (ts > nowMs + TelemetryLimits.maxFutureSkewMs) {
    return reject(IngestRejectCode.TimestampInFuture, `ts is ${Math.round((ts - nowMs) / 1000)} s in the future`);
  }

  const values = r.values;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return reject(IngestRejectCode.InvalidValues, 'values must be an object of sensor name to number');
  let count = 0;
  for (const name in values) {
    if (++count > TelemetryLimits.maxValuesPerReading) return reject(IngestRejectCode.TooManyValues, `more than ${TelemetryLimits.maxValuesPerReading} values`);
    if (!isValidSensorName(name)) return reject(IngestRejectCode.InvalidValues, `sensor name '${name.slice(0, 80)}' is not allowed`);
    const v = (values as Record<string, unknown>)[name];
    if (typeof v !== 'number') return reject(IngestRejectCode.InvalidValues, `value of '${name}' is not a number`);
    // JSON cannot carry NaN, but 1e999 parses to Infinity.
    if (!Number.isFinite(v)) return reject(IngestRejectCode.ValueNotFinite, `value of '${name}' is not finite`);
  }
  if (count === 0) return reject(IngestRejectCode.InvalidValues, 'values is empty');

  const out: Reading = { site: r.site, asset: r.asset, seq, ts, values: values as Record<string, number> };
  if (r.units !== undefined) {
    const u = r.units;
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return reject(IngestRejectCode.InvalidUnits, 'units must be an object of sensor name to string');
    for (const name in u) {
      const unit = (u as Record<string, unknown>)[name];
      if (typeof unit !== 'string' || unit.length > TelemetryLimits.maxUnitLength) return reject(IngestRejectCode.InvalidUnits, `unit of '${name}' must be a string of at most ${TelemetryLimits.maxUnitLength} characters`);
    }
    out.units = u as Record<string, string>;
  }
  if (r.assetClass !== undefined) {
    if (!isValidId(r.assetClass)) return reject(IngestRejectCode.InvalidId, 'assetClass must be 1-64 characters of [A-Za-z0-9_-]');
    out.assetClass = r.assetClass;
  }
  return out;
}

function isRejection(x: Reading | Rejection): x is Rejection {
  return (x as Rejection).reason !== undefined;
}

/**
 * Parses a message published on a telemetry subject. A bad envelope refuses the whole message; in a
 * good batch each bad reading is refused on its own and the rest are accepted.
 */
export function parseTelemetryMessage(subject: string, data: Uint8Array, nowMs: number): ParsedTelemetry {
  const route = parseTelemetrySubject(subject);
  if (!route) return { readings: [], rejections: [reject(IngestRejectCode.UnknownSubject, `'${subject}' is not a v1 telemetry subject`)] };
  const site = route.site;
  if (!isValidId(site)) return { readings: [], rejections: [reject(IngestRejectCode.InvalidId, 'the subject names an invalid site')] };
  if (data.byteLength > TelemetryLimits.maxPayloadBytes) {
    return { site, readings: [], rejections: [reject(IngestRejectCode.PayloadTooLarge, `${data.byteLength} bytes > ${TelemetryLimits.maxPayloadBytes}`)] };
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (e) {
    return { site, readings: [], rejections: [reject(IngestRejectCode.MalformedJson, (e as Error).message.slice(0, 200))] };
  }

  if (route.kind === 'reading') {
    const r = validateReading(body, nowMs, site, route.asset);
    return isRejection(r) ? { site, readings: [], rejections: [r] } : { site, readings: [r], rejections: [] };
  }

  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { site, readings: [], rejections: [reject(IngestRejectCode.InvalidShape, 'batch must be a JSON object with a readings array')] };
  }
  const b = body as Record<string, unknown>;
  if (b.site !== site) return { site, readings: [], rejections: [reject(IngestRejectCode.SubjectMismatch, `batch site does not match the subject's site '${site}'`)] };
  if (b.gateway !== route.gateway) return { site, readings: [], rejections: [reject(IngestRejectCode.SubjectMismatch, `batch gateway does not match the subject's gateway '${route.gateway}'`)] };
  if (!Array.isArray(b.readings)) return { site, readings: [], rejections: [reject(IngestRejectCode.InvalidShape, 'readings must be an array')] };
  if (b.readings.length === 0) return { site, readings: [], rejections: [reject(IngestRejectCode.BatchEmpty, 'readings is empty')] };
  if (b.readings.length > TelemetryLimits.maxBatchReadings) {
    return { site, readings: [], rejections: [reject(IngestRejectCode.BatchTooLarge, `${b.readings.length} readings > ${TelemetryLimits.maxBatchReadings}`)] };
  }
  const readings: Reading[] = [];
  const rejections: Rejection[] = [];
  for (let i = 0; i < b.readings.length; i++) {
    const r = validateReading(b.readings[i], nowMs, site);
    if (isRejection(r)) rejections.push({ ...r, index: i, item: b.readings[i] });
    else readings.push(r);
  }
  return { site, readings, rejections };
}
