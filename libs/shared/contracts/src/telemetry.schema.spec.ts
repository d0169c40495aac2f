import { IngestRejectCode } from './error-codes';
import { TelemetryLimits } from './limits';
import { Subjects } from './subjects';
import { parseTelemetryMessage } from './telemetry.schema';

const now = Date.UTC(2026, 10, 25, 12, 0, 0);
const enc = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));
const reading = (over: Record<string, unknown> = {}) => ({ site: 's1', asset: 'a1', seq: 1, ts: now, values: { T50: 1400.5 }, ...over });

describe('parseTelemetryMessage', () => {
  it('accepts a valid single reading and normalises an ISO timestamp to epoch ms', () => {
    const r = parseTelemetryMessage(Subjects.reading('s1', 'a1'), enc(reading({ ts: new Date(now).toISOString() })), now);
    expect(r.rejections).toEqual([]);
    expect(r.readings).toEqual([{ site: 's1', asset: 'a1', seq: 1, ts: now, values: { T50: 1400.5 } }]);
  });

  it('accepts the good readings of a batch and refuses the bad ones one by one, with their index', () => {
    const batch = { site: 's1', gateway: 'gw1', readings: [reading(), reading({ asset: 'a2', values: { T50: 'hot' } }), reading({ asset: 'a3', seq: 2 })] };
    const r = parseTelemetryMessage(Subjects.readingBatch('s1', 'gw1'), enc(batch), now);
    expect(r.readings.map((x) => x.asset)).toEqual(['a1', 'a3']);
    expect(r.rejections).toEqual([expect.objectContaining({ reason: IngestRejectCode.InvalidValues, index: 1, item: batch.readings[1] })]);
  });

  const cases: Array<[string, string, Buffer, IngestRejectCode]> = [
    ['unparseable JSON', Subjects.reading('s1', 'a1'), enc('{"site":'), IngestRejectCode.MalformedJson],
    ['a subject outside the contract', 'telemetry.v9.s1.a1', enc(reading()), IngestRejectCode.UnknownSubject],
    ['a payload over the size limit', Subjects.reading('s1', 'a1'), Buffer.alloc(TelemetryLimits.maxPayloadBytes + 1, 32), IngestRejectCode.PayloadTooLarge],
    ['a site other than the subject\'s', Subjects.reading('s1', 'a1'), enc(reading({ site: 's2' })), IngestRejectCode.SubjectMismatch],
    ['an asset other than the subject\'s', Subjects.reading('s1', 'a1'), enc(reading({ asset: 'a9' })), IngestRejectCode.SubjectMismatch],
    ['an id with a dot', Subjects.reading('s1', 'a1'), enc(reading({ asset: 'a.1' })), IngestRejectCode.InvalidId],
    ['a negative seq', Subjects.reading('s1', 'a1'), enc(reading({ seq: -1 })), IngestRejectCode.InvalidSeq],
    ['a fractional seq', Subjects.reading('s1', 'a1'), enc(reading({ seq: 1.5 })), IngestRejectCode.InvalidSeq],
    ['a timestamp that is not a time', Subjects.reading('s1', 'a1'), enc(reading({ ts: 'yesterday' })), IngestRejectCode.InvalidTimestamp],
    ['a timestamp from 1970', Subjects.reading('s1', 'a1'), enc(reading({ ts: 0 })), IngestRejectCode.InvalidTimestamp],
    ['a timestamp an hour ahead', Subjects.reading('s1', 'a1'), enc(reading({ ts: now + 3_600_000 })), IngestRejectCode.TimestampInFuture],
    ['a value that is a string', Subjects.reading('s1', 'a1'), enc(reading({ values: { T50: '1' } })), IngestRejectCode.InvalidValues],
    ['an infinite value', Subjects.reading('s1', 'a1'), enc('{"site":"s1","asset":"a1","seq":1,"ts":' + now + ',"values":{"T50":1e999}}'), IngestRejectCode.ValueNotFinite],
    ['no values', Subjects.reading('s1', 'a1'), enc(reading({ values: {} })), IngestRejectCode.InvalidValues],
    ['a sensor named like an Object.prototype member', Subjects.reading('s1', 'a1'), enc(reading({ values: { constructor: 5 } })), IngestRejectCode.InvalidValues],
    ['a sensor named __proto__', Subjects.reading('s1', 'a1'), enc('{"site":"s1","asset":"a1","seq":1,"ts":' + now + ',"values":{"__proto__":5}}'), IngestRejectCode.InvalidValues],
    ['too many values', Subjects.reading('s1', 'a1'), enc(reading({ values: Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`s${i}`, i])) })), IngestRejectCode.TooManyValues],
    ['a unit that is not a string', Subjects.reading('s1', 'a1'), enc(reading({ units: { T50: 5 } })), IngestRejectCode.InvalidUnits],
    ['an array instead of an object', Subjects.reading('s1', 'a1'), enc([reading()]), IngestRejectCode.InvalidShape],
    ['an empty batch', Subjects.readingBatch('s1', 'gw1'), enc({ site: 's1', gateway: 'gw1', readings: [] }), IngestRejectCode.BatchEmpty],
    ['a batch over the limit', Subjects.readingBatch('s1', 'gw1'), enc({ site: 's1', gateway: 'gw1', readings: Array.from({ length: 1001 }, () => 1) }), IngestRejectCode.BatchTooLarge],
    ['a batch for another gateway', Subjects.readingBatch('s1', 'gw1'), enc({ site: 's1', gateway: 'gw2', readings: [reading()] }), IngestRejectCode.SubjectMismatch],
  ];
  it.each(cases)('refuses %s', (_what, subject, data, code) => {
    const r = parseTelemetryMessage(subject, data, now);
    expect(r.readings).toEqual([]);
    expect(r.rejections.map((x) => x.reason)).toEqual([code]);
  });
});
