import { gzipSync } from 'node:zlib';
import { headers } from 'nats';
import { decodeSyncMessage, sourceOf } from './sync-message.decoder';

const gz = () => {
  const h = headers();
  h.set('Content-Encoding', 'gzip');
  return h;
};
const batch = (body: unknown) => gzipSync(JSON.stringify(body));

/** The central boundary: everything from a site's inbox is checked before it touches a twin. */
describe('decodeSyncMessage', () => {
  it('reads a gzipped batch of deltas', () => {
    const d = { site: 's1', asset: 'a1', fromVersion: 0, toVersion: 2, lastSeq: 2, reported: [{ seq: 2, ts: 5, values: { T50: 1.5 } }] };
    expect(decodeSyncMessage('s1', 'sync.v1.s1.twins', batch({ site: 's1', deltas: [d] }), gz())).toEqual({ kind: 'twins', batch: { site: 's1', deltas: [d] } });
  });

  it('refuses with a reason code: bad bytes, another site, a broken delta, an unknown subject', () => {
    expect(decodeSyncMessage('s1', 'sync.v1.s1.twins', Buffer.from('not gzip'), gz())).toMatchObject({ kind: 'rejected', code: 'malformed_payload' });
    expect(decodeSyncMessage('s1', 'sync.v1.s1.twins', batch({ site: 's2', deltas: [] }), gz())).toMatchObject({ kind: 'rejected', code: 'site_mismatch' });
    expect(decodeSyncMessage('s1', 'sync.v1.s2.twins', batch({ site: 's2', deltas: [] }), gz())).toMatchObject({ kind: 'rejected', code: 'site_mismatch' });
    const backwards = { site: 's1', asset: 'a1', fromVersion: 4, toVersion: 2, lastSeq: 2 };
    expect(decodeSyncMessage('s1', 'sync.v1.s1.twins', batch({ site: 's1', deltas: [backwards] }), gz())).toMatchObject({ kind: 'rejected', code: 'invalid_delta' });
    const infinite = { site: 's1', asset: 'a1', fromVersion: 0, toVersion: 1, lastSeq: 1, reported: [{ seq: 1, ts: 1, values: { T50: 'hot' } }] };
    expect(decodeSyncMessage('s1', 'sync.v1.s1.twins', batch({ site: 's1', deltas: [infinite] }), gz())).toMatchObject({ kind: 'rejected', code: 'invalid_delta' });
    expect(decodeSyncMessage('s1', 'sync.v1.s1.gossip', Buffer.from('{}'), undefined)).toMatchObject({ kind: 'rejected', code: 'unknown_subject' });
    expect(decodeSyncMessage('s1', 'order.v1.s1.a1', Buffer.from(JSON.stringify({ site: 's2', orderId: 'o', step: 1, to: 'x' })), undefined)).toMatchObject({ kind: 'rejected', code: 'invalid_shape' });
  });

  it("reads where a sourced message came from", () => {
    const h = headers();
    h.set('Nats-Stream-Source', 'SYNC_OUT:a1b2c3 42');
    expect(sourceOf(h)).toEqual({ stream: 'SYNC_OUT', seq: 42 });
    expect(sourceOf(undefined)).toBeNull();
  });
});
