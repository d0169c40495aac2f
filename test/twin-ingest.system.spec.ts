import { connect as mqttConnect } from 'mqtt';
import type { NatsConnection, Subscription } from 'nats';
import { IngestRejectCode, Streams, Subjects, TelemetryLimits, decodeTwinChangeFrame, type DeadLetterV1, type TwinChangedV1 } from '@millwright/contracts';
import { waitFor } from '@millwright/testing';
import type { TwinDto } from '@millwright/twin-api';
import { twinStackPerSuite } from './support/twin-service.process';

const enc = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));
const reading = (asset: string, seq: number, values: Record<string, number>, over: Record<string, unknown> = {}) => ({ site: 'plant1', asset, seq, ts: Date.now(), values, ...over });

/** Collects what arrives on a subject so a test can wait for it. */
function collect<T>(nc: NatsConnection, subject: string): { items: T[]; sub: Subscription } {
  const items: T[] = [];
  const sub = nc.subscribe(subject, { callback: (_e, m) => items.push(m.json<T>()) });
  return { items, sub };
}

describe('twin service: telemetry in, twins out (real nats-server, SQLite file, HTTP)', () => {
  const stack = twinStackPerSuite('mw-twin-');

  const getTwin = async (asset: string, site = 'plant1') => {
    const res = await fetch(`${stack.svc.baseUrl}/api/v1/twins/${site}/${asset}`);
    return { status: res.status, etag: res.headers.get('etag'), body: (await res.json()) as TwinDto };
  };
  const twinAt = (asset: string, pred: (t: TwinDto) => boolean) =>
    waitFor(async () => {
      const t = await getTwin(asset);
      return t.status === 200 && pred(t.body) ? t : undefined;
    }, { what: `twin ${asset}` });

  it('applies a reading published over NATS and announces the change', async () => {
    const events: { items: TwinChangedV1[] } = { items: [] };
    const sub = stack.nc.subscribe(Subjects.twinChanges('plant1'), { callback: (_e, m) => events.items.push(...decodeTwinChangeFrame(m.data).events) });
    stack.nc.publish(Subjects.reading('plant1', 'pump-1'), enc(reading('pump-1', 1, { T50: 1400.5, P30: 553.2 }, { assetClass: 'pump', units: { T50: 'degR' } })));
    const t = await twinAt('pump-1', (b) => b.lastSeq === 1);
    expect(t.body).toMatchObject({ site: 'plant1', asset: 'pump-1', assetClass: 'pump', version: 1, reported: { T50: { v: 1400.5, seq: 1 }, P30: { v: 553.2, seq: 1 } } });
    expect(t.etag).toBe('"1"');
    await waitFor(() => events.items.length === 1, { what: 'twin-changed event' });
    expect(events.items[0]).toMatchObject({ site: 'plant1', asset: 'pump-1', version: 1, fromVersion: 0, cause: 'telemetry', lastSeq: 1 });
    expect(events.items[0].changes).toEqual({ readings: [{ seq: 1, ts: expect.any(Number), values: { T50: 1400.5, P30: 553.2 } }], metadata: { assetClass: 'pump' } });
    sub.unsubscribe();
  });

  it('applies a batch of readings for several assets from one message', async () => {
    const readings = [reading('fan-1', 1, { T50: 1 }), reading('fan-2', 1, { T50: 2 }), reading('fan-1', 2, { T50: 3 })];
    stack.nc.publish(Subjects.readingBatch('plant1', 'gw-7'), enc({ site: 'plant1', gateway: 'gw-7', readings }));
    await twinAt('fan-1', (b) => b.lastSeq === 2 && b.reported.T50.v === 3 && b.version === 2);
    await twinAt('fan-2', (b) => b.reported.T50.v === 2);
    const hist = (await (await fetch(`${stack.svc.baseUrl}/api/v1/twins/plant1/fan-1/history`)).json()) as { points: Array<{ seq: number; values: Record<string, number> }> };
    expect(hist.points.map((p) => [p.seq, p.values.T50])).toEqual([[1, 1], [2, 3]]);
  });

  it('accepts readings over MQTT through the NATS server\'s own MQTT listener, single and batched', async () => {
    const client = mqttConnect(stack.nats.mqttUrl, { clientId: 'gw-mqtt-test', protocolVersion: 4 });
    await new Promise<void>((resolve, reject) => client.once('connect', () => resolve()).once('error', reject));
    await client.publishAsync('telemetry/v1/plant1/mqtt-1', enc(reading('mqtt-1', 7, { T50: 42 })), { qos: 1 });
    await client.publishAsync('telemetry/v1/plant1/gw-m/batch', enc({ site: 'plant1', gateway: 'gw-m', readings: [reading('mqtt-2', 1, { T50: 5 }), reading('mqtt-2', 2, { T50: 6 })] }), { qos: 1 });
    await client.endAsync();
    await twinAt('mqtt-1', (b) => b.reported.T50.v === 42 && b.lastSeq === 7);
    await twinAt('mqtt-2', (b) => b.reported.T50.v === 6 && b.version === 2);
  });

  it('never moves a twin backwards on duplicates or late readings', async () => {
    const pub = (seq: number, values: Record<string, number>) => stack.nc.publish(Subjects.reading('plant1', 'dup-1'), enc(reading('dup-1', seq, values)));
    pub(5, { T50: 50, P30: 5 });
    await twinAt('dup-1', (b) => b.lastSeq === 5);
    pub(5, { T50: 50, P30: 5 }); // duplicate
    pub(3, { T50: 30, Nf: 3 }); // late: only Nf is new
    pub(5, { T50: 999 }); // same seq, different value: a replay, not news
    stack.nc.publish(Subjects.reading('plant1', 'dup-1'), enc(reading('dup-1', 6, { T50: 60 }))); // a marker after them
    const t = await twinAt('dup-1', (b) => b.lastSeq === 6);
    expect(t.body.reported).toMatchObject({ T50: { v: 60, seq: 6 }, P30: { v: 5, seq: 5 }, Nf: { v: 3, seq: 3 } });
    expect(t.body.version).toBe(3); // seq 5, the late Nf from seq 3, seq 6
    const hist = (await (await fetch(`${stack.svc.baseUrl}/api/v1/twins/plant1/dup-1/history`)).json()) as { points: Array<{ seq: number }> };
    expect(hist.points.map((p) => p.seq)).toEqual([3, 5, 6]);
  });

  it('dead-letters every kind of invalid input with its reason, acks it, and keeps running', async () => {
    const dl = collect<DeadLetterV1>(stack.nc, Subjects.allDeadLetters);
    const now = Date.now();
    const ok = (over: Record<string, unknown> = {}) => reading('bad-1', 1, { T50: 1 }, over);
    const single = Subjects.reading('plant1', 'bad-1');
    const cases: Array<[string, string | Buffer, IngestRejectCode]> = [
      [single, '{"site":', IngestRejectCode.MalformedJson],
      [single, Buffer.alloc(TelemetryLimits.maxPayloadBytes + 10, 32), IngestRejectCode.PayloadTooLarge],
      ['telemetry.v1.plant1.bad-1.extra.tokens', JSON.stringify(ok()), IngestRejectCode.UnknownSubject],
      [single, JSON.stringify(ok({ site: 'plant2' })), IngestRejectCode.SubjectMismatch],
      [Subjects.reading('plant1', 'bad$1'), JSON.stringify(ok({ asset: 'bad$1' })), IngestRejectCode.InvalidId],
      [single, JSON.stringify(ok({ seq: -4 })), IngestRejectCode.InvalidSeq],
      [single, JSON.stringify(ok({ ts: 'soon' })), IngestRejectCode.InvalidTimestamp],
      [single, JSON.stringify(ok({ ts: now + 86_400_000 })), IngestRejectCode.TimestampInFuture],
      [single, JSON.stringify(ok({ values: { T50: 'hot' } })), IngestRejectCode.InvalidValues],
      [single, `{"site":"plant1","asset":"bad-1","seq":1,"ts":${now},"values":{"T50":-1e999}}`, IngestRejectCode.ValueNotFinite],
      [single, JSON.stringify(ok({ values: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`s${i}`, i])) })), IngestRejectCode.TooManyValues],
      [single, JSON.stringify(ok({ units: { T50: 42 } })), IngestRejectCode.InvalidUnits],
      [single, JSON.stringify([ok()]), IngestRejectCode.InvalidShape],
      [Subjects.readingBatch('plant1', 'gw-x'), JSON.stringify({ site: 'plant1', gateway: 'gw-x', readings: [] }), IngestRejectCode.BatchEmpty],
      [Subjects.readingBatch('plant1', 'gw-x'), JSON.stringify({ site: 'plant1', gateway: 'gw-x', readings: Array.from({ length: 1001 }, () => ok()) }), IngestRejectCode.BatchTooLarge],
    ];
    for (const [subject, data] of cases) stack.nc.publish(subject, typeof data === 'string' ? Buffer.from(data) : data);
    // One bad reading inside a good batch: the rest of the batch is applied.
    stack.nc.publish(Subjects.readingBatch('plant1', 'gw-y'), enc({ site: 'plant1', gateway: 'gw-y', readings: [reading('good-1', 1, { T50: 7 }), reading('good-1', 2, { T50: 'x' as unknown as number })] }));
    await waitFor(() => dl.items.length >= cases.length + 1, { what: 'dead letters', timeoutMs: 20_000 });

    const reasons = dl.items.map((d) => d.reason);
    for (const [, , code] of cases) expect(reasons).toContain(code);
    const partial = dl.items.find((d) => d.index === 1)!;
    expect(partial).toMatchObject({ reason: IngestRejectCode.InvalidValues, subject: Subjects.readingBatch('plant1', 'gw-y') });
    expect(JSON.parse(partial.payload)).toMatchObject({ asset: 'good-1', seq: 2 });
    const malformed = dl.items.find((d) => d.reason === IngestRejectCode.MalformedJson)!;
    expect(malformed).toMatchObject({ payload: '{"site":', payloadEncoding: 'utf8', subject: single });
    await twinAt('good-1', (b) => b.reported.T50.v === 7);
    dl.sub.unsubscribe();

    // Dead letters are stored, every message was acked (nothing left for redelivery), and counted.
    const jsm = await stack.nc.jetstreamManager();
    await waitFor(async () => (await jsm.streams.info('DEAD_LETTERS')).state.messages === cases.length + 1, { what: 'stored dead letters' });
    await waitFor(async () => {
      const c = await jsm.consumers.info(Streams.telemetry.name, Streams.telemetry.twinConsumer);
      return c.num_pending === 0 && c.num_ack_pending === 0;
    }, { what: 'all telemetry acked' });
    const metrics = await (await fetch(`${stack.svc.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/millwright_readings_rejected_total\{[^}]*reason="batch_too_large"[^}]*\} 1/);
    expect((await fetch(`${stack.svc.baseUrl}/health/ready`)).status).toBe(200);
  });

  it('changes desired state with If-Match and a merge patch, and answers 412 to a stale version', async () => {
    stack.nc.publish(Subjects.reading('plant1', 'valve-1'), enc(reading('valve-1', 1, { pos: 10 })));
    const t = await twinAt('valve-1', (b) => b.version === 1);
    const patch = (body: unknown, ifMatch?: string, type = 'application/merge-patch+json') =>
      fetch(`${stack.svc.baseUrl}/api/v1/twins/plant1/valve-1/desired`, { method: 'PATCH', headers: { 'content-type': type, ...(ifMatch ? { 'if-match': ifMatch } : {}) }, body: JSON.stringify(body) });

    const r1 = await patch({ pos: 40, mode: { auto: true, band: 3 } }, t.etag!);
    expect(r1.status).toBe(200);
    expect(r1.headers.get('etag')).toBe('"2"');
    expect(await r1.json()).toMatchObject({ version: 2, desired: { pos: 40, mode: { auto: true, band: 3 } }, delta: { pos: 40 } });

    const stale = await patch({ pos: 50 }, t.etag!);
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ code: 'version_mismatch', details: { currentVersion: 2 } });

    const r2 = await patch({ mode: { band: null } }, '"2"');
    expect(await r2.json()).toMatchObject({ version: 3, desired: { pos: 40, mode: { auto: true } } });
    expect((await getTwin('valve-1')).body.desired).toEqual({ pos: 40, mode: { auto: true } });

    expect((await patch({ pos: 1 }, 'v2')).status).toBe(400);
    expect((await patch({ pos: 1 }, undefined, 'text/plain')).status).toBe(415);
    const deep = await patch({ a: { b: { c: { d: { e: { f: { g: 1 } } } } } } }, '"3"');
    expect(deep.status).toBe(400);
    expect(await deep.json()).toMatchObject({ code: 'document_too_deep' });
    const bad = await fetch(`${stack.svc.baseUrl}/api/v1/twins/plant1/valve-1/desired`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"pos":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_merge_patch' });
  });

  it('lists twins with filters and paging, and refuses bad queries with a code', async () => {
    for (let i = 0; i < 5; i++) stack.nc.publish(Subjects.reading('plant1', `list-${i}`), enc(reading(`list-${i}`, 1, { x: i }, { assetClass: 'conveyor' })));
    await twinAt('list-4', (b) => b.version >= 1);
    const page = async (q: string) => (await (await fetch(`${stack.svc.baseUrl}/api/v1/twins?${q}`)).json()) as { items: Array<{ asset: string }>; next: string | null };
    const p1 = await page('assetClass=conveyor&limit=3');
    expect(p1.items.map((t) => t.asset)).toEqual(['list-0', 'list-1', 'list-2']);
    const p2 = await page(`assetClass=conveyor&limit=3&after=${encodeURIComponent(p1.next!)}`);
    expect(p2.items.map((t) => t.asset)).toEqual(['list-3', 'list-4']);
    expect(p2.next).toBeNull();
    expect((await page('q=list-3')).items.map((t) => t.asset)).toEqual(['list-3']);

    const badLimit = await fetch(`${stack.svc.baseUrl}/api/v1/twins?limit=0`);
    expect(badLimit.status).toBe(400);
    expect(await badLimit.json()).toMatchObject({ code: 'validation_failed' });
    const missing = await fetch(`${stack.svc.baseUrl}/api/v1/twins/plant1/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'twin_not_found' });
    const cached = await fetch(`${stack.svc.baseUrl}/api/v1/twins/plant1/list-0`, { headers: { 'if-none-match': '"1"' } });
    expect(cached.status).toBe(304);
  });

  it('writes predictions into derived state, never letting an older one replace a newer one', async () => {
    stack.nc.publish(Subjects.reading('plant1', 'pred-1'), enc(reading('pred-1', 40, { T50: 1 })));
    await twinAt('pred-1', (b) => b.lastSeq === 40);
    const js = stack.nc.jetstream();
    const prediction = (basedOnSeq: number, rul: number) => ({ site: 'plant1', asset: 'pred-1', status: 'ok', rul, failureRisk: 0.2, health: 'warning', modelVersion: 'fd001-test', at: Date.now(), basedOnSeq });
    await js.publish(Subjects.predictions('plant1'), enc({ site: 'plant1', predictions: [prediction(40, 33.5)] }));
    await js.publish(Subjects.predictions('plant1'), enc({ site: 'plant1', predictions: [prediction(39, 99)] }));
    const dl = collect<DeadLetterV1>(stack.nc, Subjects.deadLetter('prediction', 'plant1'));
    await js.publish(Subjects.predictions('plant1'), enc({ site: 'plant1', predictions: [{ ...prediction(41, 1), status: 'ok', rul: 'soon' }] }));
    await waitFor(() => dl.items.length === 1, { what: 'dead-lettered prediction' });
    expect(dl.items[0]).toMatchObject({ source: 'prediction', reason: 'invalid_shape' });
    dl.sub.unsubscribe();
    const t = await twinAt('pred-1', (b) => (b.derived.prediction as { rul?: number } | undefined)?.rul === 33.5);
    expect(t.body.derived).toMatchObject({ prediction: { status: 'ok', rul: 33.5, modelVersion: 'fd001-test', basedOnSeq: 40 }, health: { status: 'warning' } });
    expect(t.body.version).toBe(2);
  });

  it('serves its OpenAPI document at /docs', async () => {
    const res = await fetch(`${stack.svc.baseUrl}/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/twins', '/api/v1/twins/{site}/{asset}', '/api/v1/twins/{site}/{asset}/desired']));
  });
});
