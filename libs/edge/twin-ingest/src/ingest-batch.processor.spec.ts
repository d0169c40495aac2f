import { Subjects } from '@millwright/contracts';
import { openTwinDatabase, TwinSqliteStore } from '@millwright/twin-data-access';
import { IngestBatchProcessor, type InboundMessage } from './ingest-batch.processor';

const NOW = 1_764_072_000_000;
const msg = (streamSeq: number, subject: string, body: unknown): InboundMessage => ({
  subject,
  streamSeq,
  data: body instanceof Uint8Array ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const reading = (asset: string, seq: number, T50: unknown) => ({ site: 's1', asset, seq, ts: NOW - 1000, values: { T50 } });

describe('IngestBatchProcessor', () => {
  let store: TwinSqliteStore;
  let close: () => Promise<unknown>;
  beforeEach(async () => {
    const { dataSource, db } = await openTwinDatabase({ path: ':memory:', synchronous: 'off' });
    store = new TwinSqliteStore(db);
    close = () => dataSource.destroy();
  });
  afterEach(() => close());

  function run(msgs: InboundMessage[]) {
    const p = new IngestBatchProcessor(store, () => NOW);
    return p.commit(msgs, msgs.map((m) => p.parse(m)));
  }

  it('commits the good readings of a mixed batch and describes one event per changed twin', () => {
    const out = run([
      msg(1, Subjects.reading('s1', 'a'), reading('a', 1, 10)),
      msg(2, Subjects.readingBatch('s1', 'gw'), { site: 's1', gateway: 'gw', readings: [reading('a', 2, 20), reading('b', 1, 'x'), reading('b', 2, 5)] }),
    ]);
    expect(out.accepted).toBe(3);
    expect(out.historyInserted).toBe(3);
    expect(out.events.map((e) => [e.site, e.asset, e.fromVersion, e.version, e.lastSeq])).toEqual([
      ['s1', 'a', 0, 2, 2],
      ['s1', 'b', 0, 1, 2],
    ]);
    expect(out.deadLetters).toEqual([
      expect.objectContaining({ from: 1, msgId: 'telemetry-2-1', subject: Subjects.deadLetter('telemetry', 's1'), letter: expect.objectContaining({ reason: 'invalid_values', index: 1, streamSeq: 2 }) }),
    ]);
    expect(store.get('s1', 'a')!.reported.T50.v).toBe(20);
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
});
