import { Subjects, decodeTwinChangeFrame } from '@millwright/contracts';
import { openTwinDatabase, TwinSqliteStore } from '@millwright/twin-data-access';
import { IngestBatchProcessor, type InboundMessage } from './ingest-batch.processor';

const NOW = 1_764_072_000_000;
const msg = (seq: number, subject: string, body: unknown): InboundMessage => ({
  subject,
  seq,
  data: body instanceof Uint8Array ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const reading = (asset: string, seq: number, T50: unknown, extra: Record<string, unknown> = {}) => ({ site: 's1', asset, seq, ts: NOW - 1000 + seq, values: { T50 }, ...extra });

describe('IngestBatchProcessor', () => {
  let store: TwinSqliteStore;
  let close: () => Promise<unknown>;
  beforeEach(async () => {
    const { dataSource, db } = await openTwinDatabase({ path: ':memory:', synchronous: 'off' });
    store = new TwinSqliteStore(db);
    close = () => dataSource.destroy();
  });
  afterEach(() => close());

  const run = (msgs: InboundMessage[], maxReadings?: number, maxFrameBytes?: number) => new IngestBatchProcessor(store, () => NOW, maxFrameBytes).commit(msgs, maxReadings);
  const eventsOf = (out: ReturnType<typeof run>) => out.frames.flatMap((f) => decodeTwinChangeFrame(f.frame).events);

  it('commits the good readings of a mixed batch and frames one event per changed twin with the readings that moved it', () => {
    const out = run([
      msg(1, Subjects.reading('s1', 'a'), reading('a', 1, 10)),
      msg(2, Subjects.readingBatch('s1', 'gw'), { site: 's1', gateway: 'gw', readings: [reading('a', 2, 20), reading('b', 1, 'x'), reading('b', 2, 5)] }),
    ]);
    expect(out.taken).toBe(2);
    expect(out.accepted).toBe(3);
    expect(out.historyInserted).toBe(3);
    expect(out.frames.map((f) => [f.site, f.events])).toEqual([['s1', 2]]);
    const events = eventsOf(out);
    expect(events.map((e) => [e.site, e.asset, e.cause, e.fromVersion, e.version, e.lastSeq, e.at])).toEqual([
      ['s1', 'a', 'telemetry', 0, 2, 2, NOW],
      ['s1', 'b', 'telemetry', 0, 1, 2, NOW],
    ]);
    expect(events[0].changes.readings).toEqual([
      { seq: 1, ts: NOW - 999, values: { T50: 10 } },
      { seq: 2, ts: NOW - 998, values: { T50: 20 } },
    ]);
    expect(out.deadLetters).toEqual([
      expect.objectContaining({ from: 1, msgId: 'telemetry-2-1', subject: Subjects.deadLetter('telemetry', 's1'), letter: expect.objectContaining({ reason: 'invalid_values', index: 1, streamSeq: 2 }) }),
    ]);
    expect(store.get('s1', 'a')!.reported.T50.v).toBe(20);
  });

  it('leaves out of the events what moved nothing, and announces a new asset class as metadata', () => {
    run([msg(1, Subjects.reading('s1', 'a'), reading('a', 5, 50))]);
    const out = run([
      msg(2, Subjects.reading('s1', 'a'), reading('a', 5, 50)), // a duplicate
      msg(3, Subjects.reading('s1', 'a'), reading('a', 4, 40)), // older than what the twin holds
      msg(4, Subjects.reading('s1', 'a'), reading('a', 3, 30, { assetClass: 'pump' })), // old values, new class
    ]);
    expect(out.accepted).toBe(3);
    const events = eventsOf(out);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ asset: 'a', fromVersion: 1, version: 2, lastSeq: 5, changes: { metadata: { assetClass: 'pump' } } });
    expect(events[0].changes.readings).toBeUndefined();
    expect(store.get('s1', 'a')).toMatchObject({ assetClass: 'pump', version: 2, reported: { T50: { v: 50, seq: 5 } } });
  });

  it('takes messages only until the batch holds maxReadings readings, the rest staying for the next commit', () => {
    const msgs = [1, 2, 3, 4].map((seq) => msg(seq, Subjects.reading('s1', 'a'), reading('a', seq, seq)));
    expect(run(msgs, 2)).toMatchObject({ taken: 2, accepted: 2 });
    expect(store.get('s1', 'a')!.lastSeq).toBe(2);
    expect(run(msgs.slice(2), 2)).toMatchObject({ taken: 2, accepted: 2 });
    expect(store.get('s1', 'a')!.lastSeq).toBe(4);
  });

  it('cuts the changes into several frames when one would pass the size limit, losing none', () => {
    const readings = Array.from({ length: 40 }, (_, i) => reading(`m${i}`, 1, i));
    const out = run([msg(1, Subjects.readingBatch('s1', 'gw'), { site: 's1', gateway: 'gw', readings })], undefined, 2048);
    expect(out.frames.length).toBeGreaterThan(1);
    for (const f of out.frames) expect(f.frame.length).toBeLessThanOrEqual(2048);
    expect(eventsOf(out).map((e) => [e.asset, e.changes.readings![0].values.T50])).toEqual(readings.map((r, i) => [r.asset, i]));
  });

  it('keeps bytes that are not UTF-8 exactly, as base64', () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0x7b]);
    const out = run([msg(9, Subjects.reading('s1', 'a'), bytes)]);
    expect(out.deadLetters[0].letter).toMatchObject({ reason: 'malformed_json', payloadEncoding: 'base64' });
    expect(Buffer.from(out.deadLetters[0].letter.payload, 'base64')).toEqual(Buffer.from(bytes));
  });

  it('gives a redelivered message the same dead-letter id, so the stream stores it once', () => {
    const bad = msg(4, Subjects.reading('s1', 'a'), '{');
    expect(run([bad]).deadLetters[0].msgId).toBe(run([bad]).deadLetters[0].msgId);
  });

  it('commits nothing of a batch whose transaction fails, and leaves no uncommitted state in the cache', () => {
    run([msg(1, Subjects.reading('s1', 'a'), reading('a', 1, 10))]);
    const failing = new IngestBatchProcessor(store, () => NOW);
    const boom = { get subject(): string { throw new Error('broken message'); }, data: new Uint8Array(), seq: 3 };
    expect(() => failing.commit([msg(2, Subjects.reading('s1', 'a'), reading('a', 2, 20)), msg(3, Subjects.reading('s1', 'n'), reading('n', 1, 1)), boom])).toThrow('broken message');
    expect(store.get('s1', 'a')).toMatchObject({ version: 1, reported: { T50: { v: 10, seq: 1 } } });
    expect(store.get('s1', 'n')).toBeUndefined();
    expect(run([msg(2, Subjects.reading('s1', 'a'), reading('a', 2, 20))]).accepted).toBe(1);
    expect(store.get('s1', 'a')).toMatchObject({ version: 2, reported: { T50: { v: 20, seq: 2 } } });
  });
});
