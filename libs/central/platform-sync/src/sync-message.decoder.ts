import { gunzipSync } from 'node:zlib';
import {
  SyncRejectCode,
  parseSyncSubject,
  validateDesiredConflicts,
  validateModelReleaseStatus,
  validateSiteHealth,
  validateTwinDeltaBatch,
  type DesiredConflictsV1,
  type ModelReleaseStatusV1,
  type OrderEventV1,
  type SiteHealthV1,
  type TwinDeltaBatchV1,
} from '@millwright/contracts';
import type { MsgHdrs } from 'nats';

export type SyncItem =
  | { kind: 'twins'; batch: TwinDeltaBatchV1 }
  | { kind: 'health'; health: SiteHealthV1 }
  | { kind: 'conflicts'; report: DesiredConflictsV1 }
  | { kind: 'order'; event: OrderEventV1 }
  | { kind: 'model-status'; status: ModelReleaseStatusV1 }
  | { kind: 'rejected'; code: SyncRejectCode; detail: string };

/** Where a sourced message came from: the origin stream and its sequence there (`Nats-Stream-Source`). */
export function sourceOf(h: MsgHdrs | undefined): { stream: string; seq: number } | null {
  const v = h?.get('Nats-Stream-Source');
  if (!v) return null;
  const [name, seq] = v.split(' ');
  const n = Number(seq);
  return Number.isSafeInteger(n) ? { stream: name.split(':')[0], seq: n } : null;
}

/** Decodes and validates one message of a site's hub inbox; the site is the inbox's, never the payload's. */
export function decodeSyncMessage(site: string, subject: string, data: Uint8Array, h: MsgHdrs | undefined): SyncItem {
  let body: unknown;
  try {
    const raw = h?.get('Content-Encoding') === 'gzip' ? gunzipSync(data) : Buffer.from(data);
    body = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    return { kind: 'rejected', code: SyncRejectCode.MalformedPayload, detail: (e as Error).message.slice(0, 200) };
  }
  if (subject.startsWith('order.v1.')) {
    const e = body as OrderEventV1;
    if (typeof e !== 'object' || e === null || e.site !== site || typeof e.orderId !== 'string' || !Number.isSafeInteger(e.step) || typeof e.to !== 'string') {
      return { kind: 'rejected', code: SyncRejectCode.InvalidShape, detail: 'not an order event of this site' };
    }
    return { kind: 'order', event: e };
  }
  const route = parseSyncSubject(subject);
  if (!route) return { kind: 'rejected', code: SyncRejectCode.UnknownSubject, detail: `'${subject}' is not a sync subject` };
  if (route.site !== site) return { kind: 'rejected', code: SyncRejectCode.SiteMismatch, detail: `subject of site '${route.site}' in site ${site}'s inbox` };
  if (route.kind === 'twins') {
    const v = validateTwinDeltaBatch(body, site);
    return v.ok ? { kind: 'twins', batch: v.value } : { kind: 'rejected', code: v.code, detail: v.detail };
  }
  if (route.kind === 'health') {
    const v = validateSiteHealth(body, site);
    return v.ok ? { kind: 'health', health: v.value } : { kind: 'rejected', code: v.code, detail: v.detail };
  }
  if (route.kind === 'model-status') {
    const v = validateModelReleaseStatus(body, site);
    return v.ok ? { kind: 'model-status', status: v.value } : { kind: 'rejected', code: v.code, detail: v.detail };
  }
  const v = validateDesiredConflicts(body, site);
  return v.ok ? { kind: 'conflicts', report: v.value } : { kind: 'rejected', code: v.code, detail: v.detail };
}
