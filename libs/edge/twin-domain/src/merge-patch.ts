import { patchDesiredDocument } from '@millwright/sync-domain';
import type { JsonObject } from './asset-twin';
import { TwinDomainError } from './twin-domain.error';

/**
 * Applies a merge patch to desired state and checks the result against the document limits.
 * Returns the new desired state, or throws a TwinDomainError with a code the API maps to a status.
 */
export function patchDesired(desired: JsonObject, patch: unknown): JsonObject {
  const r = patchDesiredDocument(desired, patch);
  if (!r.ok) throw new TwinDomainError(r.code, r.message);
  return r.doc as JsonObject;
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
