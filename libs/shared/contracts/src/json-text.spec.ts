import { jsonOf } from './json-text';

describe('jsonOf', () => {
  it('serialises an object once and gives the same text after', () => {
    const derived = { prediction: { rul: 80.5, status: 'ok' }, health: { status: 'ok' } };
    const text = jsonOf(derived);
    expect(text).toBe(JSON.stringify({ prediction: { rul: 80.5, status: 'ok' }, health: { status: 'ok' } }));
    const spy = jest.spyOn(JSON, 'stringify');
    try {
      expect(jsonOf(derived)).toBe(text);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('leaves no trace that copies, clones, keys or JSON would carry', () => {
    const section = { rpm: 1200 };
    jsonOf(section);
    expect(Object.keys(section)).toEqual(['rpm']);
    expect(JSON.stringify(section)).toBe('{"rpm":1200}');
    // A copy (spread, structuredClone) is a new object: its own text, never the original's.
    const copy = { ...section, mode: 'eco' };
    expect(jsonOf(copy)).toBe('{"rpm":1200,"mode":"eco"}');
    const clone = structuredClone(section);
    clone.rpm = 900;
    expect(jsonOf(clone)).toBe('{"rpm":900}');
    expect(section).toEqual({ rpm: 1200 });
  });

  it('serialises frozen objects too, each time', () => {
    const frozen = Object.freeze({ a: 1 });
    expect(jsonOf(frozen)).toBe('{"a":1}');
    expect(jsonOf(frozen)).toBe('{"a":1}');
  });
});
