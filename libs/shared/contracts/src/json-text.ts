const texts = new WeakMap<object, string>();

/**
 * JSON text of an object that is never mutated once serialised (twin sections and the changes of
 * an event are replaced, not edited): the same prediction is written to the twin log, the twin row
 * and the change frame, and is serialised once.
 */
export function jsonOf(value: object): string {
  let text = texts.get(value);
  if (text === undefined) texts.set(value, (text = JSON.stringify(value)));
  return text;
}
