import { SyncRejectCode } from './error-codes';
import { isValidId } from './telemetry.schema';
import type { TwinDeltaV1 } from './twin-delta.schema';

/**
 * One message of a site's upstream outbox on `sync.v1.<site>.twins`: the deltas of one flush (many
 * assets, possibly several chained deltas of one asset, in chain order). Sent gzip-compressed
 * (header `Content-Encoding: gzip`): sensor names repeat in every delta and compress away.
 */
export interface TwinDeltaBatchV1 {
  site: string;
  deltas: TwinDeltaV1[];
}

/** A site's vital signs, sent every few seconds on `sync.v1.<site>.health` instead of logs or metrics. */
export interface SiteHealthV1 {
  site: string;
  at: number;
  /** Readings committed per second since the previous summary. */
  readingsPerSec: number;
  /** Readings in the telemetry stream not yet committed to twins. */
  consumerLag: number | null;
  /** Upstream outbox messages the central platform has not confirmed, and the age of the oldest. */
  backlog: SyncBacklog;
  twins: number;
  modelVersion: string | null;
  /** Totals since the service started, by kind (dead letters, failed publishes). */
  errors: Record<string, number>;
  link: 'up' | 'down';
}

export interface SyncBacklog {
  /** null until the central side has confirmed anything since the edge started. */
  messages: number | null;
  oldestAgeMs: number | null;
}

/** A desired field that both sides changed while apart, as the edge merged it (see mergeDesired). */
export interface DesiredConflictV1 {
  site: string;
  asset: string;
  field: string;
  base: unknown;
  edge: unknown;
  central: unknown;
  kept: 'central';
  /** The central desired version the edge merged. */
  centralVersion: number;
  at: number;
}

/** `sync.v1.<site>.conflicts`: written before the merge that found them is acknowledged. */
export interface DesiredConflictsV1 {
  site: string;
  conflicts: DesiredConflictV1[];
}

/**
 * `downlink.v1.<site>.desired.<asset>`: the whole central desired document of one asset. The hub
 * keeps only the newest per subject, so an edge that was away for a day takes one message per asset.
 */
export interface DesiredUpdateV1 {
  site: string;
  asset: string;
  version: number;
  desired: Record<string, unknown>;
  at: number;
  by: string;
}

/** `downlink.v1.<site>.policy.<assetClass>`: the replacement policy of an asset class the site must run, versioned. */
export interface PolicyUpdateV1 {
  site: string;
  assetClass: string;
  version: number;
  policy: Record<string, unknown>;
  at: number;
  by: string;
}

/**
 * `downlink.v1.<site>.model.release`: a signed model release the central platform rolls out to this
 * site. The files travel as a bundle (JSON `{card, model, signature}`, card and model base64) cut
 * into `chunks` messages on `downlink.v1.<site>.model.chunk.<i>`, published before this one, so a
 * site that sources the downlink in order has every chunk when the announcement arrives.
 * `bundleSha256` only detects a torn transfer; trust comes from the signature the edge verifies.
 */
export interface ModelReleaseAnnouncementV1 {
  site: string;
  version: string;
  /** sha256 of model.onnx, as the card says. */
  sha256: string;
  bundleSha256: string;
  bundleBytes: number;
  chunks: number;
  /** How long the edge runs the release in shadow mode beside the active model before it decides. */
  shadowMs: number;
  /** Largest mean |RUL_active - RUL_candidate| (cycles) over the shadow windows that still promotes. */
  maxDisagreement: number;
  at: number;
  by: string;
}

/** `downlink.v1.<site>.model.chunk.<index>`: part of a release bundle, base64. */
export interface ModelReleaseChunkV1 {
  site: string;
  version: string;
  index: number;
  count: number;
  data: string;
}

export const MODEL_ROLLOUT_STATES = ['pending', 'shadow', 'promoted', 'rolled_back'] as const;
/** Where a release stands at one site: sent and not yet taken up, running beside the active model, or decided. */
export type ModelRolloutState = (typeof MODEL_ROLLOUT_STATES)[number];

/** What the shadow run saw, reported with every decision. */
export interface ShadowStatsV1 {
  windows: number;
  errors: number;
  /** Mean |RUL_active - RUL_candidate| over the windows both models predicted; null before the first. */
  meanAbsDiff: number | null;
  maxAbsDiff: number | null;
}

/**
 * `sync.v1.<site>.model-status`: a release changed state at the site. `code` is machine-readable
 * (`promoted`, `shadow_errors`, `disagreement`, `window_incompatible`, or a refusal code such as
 * `signature_invalid`, `hash_mismatch`, `smoke_failed`); `reason` is for humans.
 */
export interface ModelReleaseStatusV1 {
  site: string;
  version: string;
  state: Exclude<ModelRolloutState, 'pending'>;
  code: string;
  reason: string;
  stats: ShadowStatsV1 | null;
  /** The model the site predicts with after this change. */
  activeVersion: string | null;
  at: number;
}

/**
 * `central.v1.<site>.sync.applied` (core NATS, repeated every few seconds): the highest sequence of
 * the site's outbox the central platform has committed. The edge's backlog is what lies beyond it.
 */
export interface SyncAppliedV1 {
  site: string;
  outboxSeq: number;
  at: number;
}

/** `central.v1.<site>.sync.snapshot`: the central copy of these assets has a gap; send them whole. */
export interface SnapshotRequestV1 {
  site: string;
  assets: string[];
}

export type SyncValidation<T> = { ok: true; value: T } | { ok: false; code: SyncRejectCode; detail: string };


const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= -1;

function deltaProblem(d: unknown, site: string): string | null {
  if (!isObj(d)) return 'a delta must be an object';
  if (d.site !== site) return `delta of site '${String(d.site)}' in site ${site}'s outbox`;
  if (!isValidId(d.asset)) return 'asset must be an id';
  if (!isCount(d.fromVersion) || !isCount(d.toVersion) || d.toVersion <= d.fromVersion) return 'versions must be integers with toVersion > fromVersion';
  if (!isCount(d.lastSeq)) return 'lastSeq must be an integer';
  if (d.reported !== undefined) {
    if (!Array.isArray(d.reported)) return 'reported must be an array of readings';
    for (const r of d.reported) {
      if (!isObj(r) || !isCount(r.seq) || typeof r.ts !== 'number' || !isObj(r.values)) return 'a reported reading needs seq, ts and values';
      for (const v of Object.values(r.values)) if (typeof v !== 'number' || !Number.isFinite(v)) return 'reported values must be finite numbers';
    }
  }
  if (d.desired !== undefined && (!isObj(d.desired) || !isObj(d.desired.doc) || !isCount(d.desired.baseVersion))) return 'desired must be {doc, baseVersion}';
  if (d.derived !== undefined && !isObj(d.derived)) return 'derived must be an object';
  if (d.metadata !== undefined && !isObj(d.metadata)) return 'metadata must be an object';
  return null;
}

/** Checks a decoded outbox batch at the central boundary; the site comes from the subject. */
export function validateTwinDeltaBatch(body: unknown, site: string): SyncValidation<TwinDeltaBatchV1> {
  if (!isObj(body) || !Array.isArray(body.deltas)) return { ok: false, code: SyncRejectCode.InvalidShape, detail: 'a batch is {site, deltas[]}' };
  if (body.site !== site) return { ok: false, code: SyncRejectCode.SiteMismatch, detail: `batch of site '${String(body.site)}' on site ${site}'s subject` };
  for (let i = 0; i < body.deltas.length; i++) {
    const p = deltaProblem(body.deltas[i], site);
    if (p) return { ok: false, code: SyncRejectCode.InvalidDelta, detail: `delta ${i}: ${p}` };
  }
  return { ok: true, value: body as unknown as TwinDeltaBatchV1 };
}

export function validateSiteHealth(body: unknown, site: string): SyncValidation<SiteHealthV1> {
  if (!isObj(body) || typeof body.at !== 'number' || !isObj(body.backlog) || !isObj(body.errors)) return { ok: false, code: SyncRejectCode.InvalidShape, detail: 'not a site health summary' };
  if (body.site !== site) return { ok: false, code: SyncRejectCode.SiteMismatch, detail: `health of site '${String(body.site)}' on site ${site}'s subject` };
  return { ok: true, value: body as unknown as SiteHealthV1 };
}

export function validateDesiredConflicts(body: unknown, site: string): SyncValidation<DesiredConflictsV1> {
  if (!isObj(body) || !Array.isArray(body.conflicts)) return { ok: false, code: SyncRejectCode.InvalidShape, detail: 'not a conflict report' };
  if (body.site !== site || body.conflicts.some((c) => !isObj(c) || c.site !== site || !isValidId(c.asset) || typeof c.field !== 'string')) {
    return { ok: false, code: SyncRejectCode.SiteMismatch, detail: `conflicts must all be of site ${site}` };
  }
  return { ok: true, value: body as unknown as DesiredConflictsV1 };
}

/** Checks a downlink desired update at the edge boundary. */
export function validateDesiredUpdate(body: unknown, site: string): SyncValidation<DesiredUpdateV1> {
  if (!isObj(body) || !isValidId(body.asset) || !isCount(body.version) || !isObj(body.desired) || typeof body.at !== 'number') {
    return { ok: false, code: SyncRejectCode.InvalidShape, detail: 'a desired update is {site, asset, version, desired, at, by}' };
  }
  if (body.site !== site) return { ok: false, code: SyncRejectCode.SiteMismatch, detail: `desired update for site '${String(body.site)}' reached site ${site}` };
  return { ok: true, value: body as unknown as DesiredUpdateV1 };
}

export function validatePolicyUpdate(body: unknown, site: string): SyncValidation<PolicyUpdateV1> {
  if (!isObj(body) || !isValidId(body.assetClass) || !isCount(body.version) || !isObj(body.policy)) return { ok: false, code: SyncRejectCode.InvalidShape, detail: 'a policy update is {site, assetClass, version, policy, at, by}' };
  if (body.site !== site) return { ok: false, code: SyncRejectCode.SiteMismatch, detail: `policy for site '${String(body.site)}' reached site ${site}` };
  return { ok: true, value: body as unknown as PolicyUpdateV1 };
}

const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function validateModelReleaseStatus(body: unknown, site: string): SyncValidation<ModelReleaseStatusV1> {
  if (
    !isObj(body) ||
    typeof body.version !== 'string' ||
    !VERSION_RE.test(body.version) ||
    (body.state !== 'shadow' && body.state !== 'promoted' && body.state !== 'rolled_back') ||
    typeof body.code !== 'string' ||
    typeof body.reason !== 'string' ||
    typeof body.at !== 'number' ||
    (body.stats !== null && !isObj(body.stats))
  ) {
    return { ok: false, code: SyncRejectCode.InvalidShape, detail: 'a model status is {site, version, state: shadow|promoted|rolled_back, code, reason, stats, activeVersion, at}' };
  }
  if (body.site !== site) return { ok: false, code: SyncRejectCode.SiteMismatch, detail: `model status of site '${String(body.site)}' on site ${site}'s subject` };
  return { ok: true, value: { ...(body as unknown as ModelReleaseStatusV1), reason: body.reason.slice(0, 1000), code: body.code.slice(0, 64) } };
}

/** Checks an announcement at the edge boundary. */
export function validateModelReleaseAnnouncement(body: unknown, site: string): SyncValidation<ModelReleaseAnnouncementV1> {
  if (
    !isObj(body) ||
    typeof body.version !== 'string' ||
    !VERSION_RE.test(body.version) ||
    typeof body.sha256 !== 'string' ||
    typeof body.bundleSha256 !== 'string' ||
    !Number.isSafeInteger(body.chunks) ||
    (body.chunks as number) < 1 ||
    (body.chunks as number) > 1024 ||
    typeof body.shadowMs !== 'number' ||
    !(body.shadowMs >= 0) ||
    typeof body.maxDisagreement !== 'number' ||
    !(body.maxDisagreement >= 0)
  ) {
    return { ok: false, code: SyncRejectCode.InvalidShape, detail: 'a model release is {site, version, sha256, bundleSha256, bundleBytes, chunks, shadowMs, maxDisagreement, at, by}' };
  }
  if (body.site !== site) return { ok: false, code: SyncRejectCode.SiteMismatch, detail: `model release for site '${String(body.site)}' reached site ${site}` };
  return { ok: true, value: body as unknown as ModelReleaseAnnouncementV1 };
}
