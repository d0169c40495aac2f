const TEXT = Symbol('jsonText');

/**
 * JSON text of an object that is never mutated once serialised (twin sections and the changes of
 * an event are replaced, not edited): the same prediction is written to the twin log, the twin row
 * and the change frame, and is serialised once.
 *
 * The text is kept on the object itself, as a non-enumerable symbol property (spread, JSON,
 * Object.keys and structuredClone leave it out), not in a WeakMap: a WeakMap entry for every twin
 * section made the garbage collector trace ephemerons in its final pause, up to 9 ms of a 19 ms
 * mark-compact pause in the twin service under 5,000 predictions/s.
 */
export function jsonOf(value: object): string {
  const cached = (value as { [TEXT]?: string })[TEXT];
  if (cached !== undefined) return cached;
  const text = JSON.stringify(value);
  if (Object.isExtensible(value)) Object.defineProperty(value, TEXT, { value: text });
  return text;
}
