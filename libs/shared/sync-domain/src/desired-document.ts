import { ApiErrorCode, DesiredStateLimits } from '@millwright/contracts';

type Json = unknown;
type JsonObject = { [k: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7396 JSON merge patch: objects merge, null deletes, everything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function depth(v: Json): number {
  if (Array.isArray(v)) return 1 + v.reduce<number>((m, x) => Math.max(m, depth(x)), 0);
  if (isObject(v)) return 1 + Object.values(v).reduce<number>((m, x) => Math.max(m, depth(x)), 0);
  return 0;
}

/** The HTTP status for a refused desired-state patch, the same at the edge and centrally. */
export function desiredPatchStatus(code: ApiErrorCode): number {
  return code === ApiErrorCode.DocumentTooLarge ? 413 : 400;
}

export type DesiredPatchResult = { ok: true; doc: JsonObject } | { ok: false; code: ApiErrorCode; message: string };

/**
 * Applies a merge patch to a desired document and checks the result against the limits both the
 * edge and the central side enforce (a document one side accepts, the other must too).
 */
export function patchDesiredDocument(desired: JsonObject, patch: unknown): DesiredPatchResult {
  if (!isObject(patch)) return { ok: false, code: ApiErrorCode.InvalidMergePatch, message: 'a desired-state patch must be a JSON object' };
  const next = mergePatch(desired, patch) as JsonObject;
  if (depth(next) > DesiredStateLimits.maxDepth) return { ok: false, code: ApiErrorCode.DocumentTooDeep, message: `desired state may nest at most ${DesiredStateLimits.maxDepth} levels` };
  const bytes = Buffer.byteLength(JSON.stringify(next));
  if (bytes > DesiredStateLimits.maxBytes) return { ok: false, code: ApiErrorCode.DocumentTooLarge, message: `desired state would be ${bytes} bytes, over ${DesiredStateLimits.maxBytes}` };
  return { ok: true, doc: next };
}
