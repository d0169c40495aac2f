import { desiredDelta, patchDesired } from './merge-patch';

describe('JSON merge patch (RFC 7396) on desired state', () => {
  it('refuses a patch that is not an object', () => {
    expect(() => patchDesired({}, [1])).toThrow(expect.objectContaining({ code: 'invalid_merge_patch' }));
  });

  it('refuses a result deeper than six levels or larger than 8 KB', () => {
    expect(() => patchDesired({}, { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } })).toThrow(expect.objectContaining({ code: 'document_too_deep' }));
    expect(() => patchDesired({}, { big: 'x'.repeat(9000) })).toThrow(expect.objectContaining({ code: 'document_too_large' }));
  });

  it('leaves the original untouched', () => {
    const desired = { rpm: 100, mode: { a: 1 } };
    patchDesired(desired, { mode: { a: null } });
    expect(desired).toEqual({ rpm: 100, mode: { a: 1 } });
  });

  it('computes the delta of desired fields the asset has not reached', () => {
    expect(desiredDelta({ rpm: 100, mode: 'eco' }, { rpm: { v: 100 } })).toEqual({ mode: 'eco' });
    expect(desiredDelta({ rpm: 90 }, { rpm: { v: 100 } })).toEqual({ rpm: 90 });
  });
});
