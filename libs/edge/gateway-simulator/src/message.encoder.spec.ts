import { Subjects, parseTelemetryMessage, type ReadingV1 } from '@millwright/contracts';
import { MessageEncoder } from './message.encoder';

const now = Date.UTC(2026, 0, 1);
const reading = (asset: string, seq: number, extra = 0): ReadingV1 => ({
  site: 'plant-1',
  asset,
  seq,
  ts: now,
  values: Object.fromEntries(Array.from({ length: 1 + extra }, (_, i) => [`s${i}`, i + 0.5])),
});

describe('MessageEncoder', () => {
  it('publishes a single reading on its asset subject', () => {
    const enc = new MessageEncoder({ site: 'plant-1', gateway: 'gw-1', batchSize: 1 });
    const [msg] = enc.add(reading('engine-001', 4));
    expect(msg.subject).toBe(Subjects.reading('plant-1', 'engine-001'));
    expect(JSON.parse(Buffer.from(msg.data).toString())).toEqual(reading('engine-001', 4));
    expect(enc.flush()).toBeUndefined();
  });

  it('packs up to batchSize readings of any assets into one batch the edge accepts', () => {
    const enc = new MessageEncoder({ site: 'plant-1', gateway: 'gw-1', batchSize: 3 });
    const out = [1, 2, 3, 4].flatMap((i) => enc.add(reading(`engine-00${i}`, i)));
    const rest = enc.flush()!;
    expect(out.map((m) => m.readings.length)).toEqual([3]);
    expect(rest.readings.map((r) => r.asset)).toEqual(['engine-004']);
    const parsed = parseTelemetryMessage(out[0].subject, out[0].data, now);
    expect(out[0].subject).toBe(Subjects.readingBatch('plant-1', 'gw-1'));
    expect(parsed.rejections).toEqual([]);
    expect(parsed.readings.map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('closes a batch early rather than exceed the payload limit', () => {
    const maxPayloadBytes = 2000;
    const enc = new MessageEncoder({ site: 'plant-1', gateway: 'gw-1', batchSize: 1000, maxPayloadBytes });
    const msgs = Array.from({ length: 50 }, (_, i) => enc.add(reading('e', i + 1, 20))).flat();
    msgs.push(enc.flush()!);
    expect(msgs.length).toBeGreaterThan(5);
    expect(Math.max(...msgs.map((m) => m.data.byteLength))).toBeLessThanOrEqual(maxPayloadBytes);
    expect(msgs.flatMap((m) => JSON.parse(Buffer.from(m.data).toString()).readings.map((r: ReadingV1) => r.seq))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('refuses a batch size outside the contract', () => {
    expect(() => new MessageEncoder({ site: 's', gateway: 'g', batchSize: 1001 })).toThrow(/1\.\.1000/);
    expect(() => new MessageEncoder({ site: 's', gateway: 'g', batchSize: 0 })).toThrow();
  });
});
