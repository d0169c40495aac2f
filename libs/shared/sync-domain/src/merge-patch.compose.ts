type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One JSON merge patch (RFC 7396) with the effect of applying `first` and then `second`. Unlike
 * merging documents, nulls are kept: they are deletions the receiver still has to perform.
 */
export function composePatches(first: Json, second: Json): Json {
  if (!isObject(second) || !isObject(first)) return second;
  const out: Record<string, Json> = { ...first };
  for (const [k, v] of Object.entries(second)) {
    out[k] = isObject(v) && isObject(out[k]) ? composePatches(out[k], v) : v;
  }
  return out;
}
