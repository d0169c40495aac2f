import { DesiredStateLimits } from '@millwright/contracts';
import type { JsonObject, JsonValue } from './asset-twin';
import { TwinDomainError } from './twin-domain.error';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7396 JSON merge patch: objects merge, null deletes, everything else replaces. */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function depth(v: JsonValue): number {
  if (Array.isArray(v)) return 1 + v.reduce<number>((m, x) => Math.max(m, depth(x)), 0);
  if (isObject(v)) return 1 + Object.values(v).reduce<number>((m, x) => Math.max(m, depth(x)), 0);
  return 0;
}

/**
 * Applies a merge patch to desired state and checks the result against the document limits.
 * Returns the new desired state, or throws a TwinDomainError with a code the API maps to a status.
 */
export function patchDesired(desired: JsonObject, patch: unknown): JsonObject {
  if (!isObject(patch)) throw new TwinDomainError('invalid_merge_patch', 'a desired-state patch must be a JSON object');
  const next = mergePatch(desired, patch as JsonObject) as JsonObject;
  if (depth(next) > DesiredStateLimits.maxDepth) {
    throw new TwinDomainError('document_too_deep', `desired state may nest at most ${DesiredStateLimits.maxDepth} levels`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(next));
  if (bytes > DesiredStateLimits.maxBytes) {
    throw new TwinDomainError('document_too_large', `desired state would be ${bytes} bytes, over ${DesiredStateLimits.maxBytes}`);
  }
  return next;
}

/**
 * Desired fields the asset has not reported yet (after AWS shadow's `delta`): a desired value that
 * equals the reported sensor value is done, anything else is still to do.
 */
export function desiredDelta(desired: JsonObject, reported: Record<string, { v: number }>): JsonObject {
  const delta: JsonObject = {};
  for (const [k, v] of Object.entries(desired)) {
    if (reported[k]?.v !== v) delta[k] = v;
  }
  return delta;
}
