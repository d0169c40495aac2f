import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { connect, nkeyAuthenticator, StorageType, type Msg, type NatsConnection, type Status } from 'nats';
import { freePort, makeTempDir, repoRoot, startProcess, waitFor, WaitAborted, type RunningProcess, type TempDir } from '@millwright/testing';

// Identities from the provisioning CLI (built), run by real nats-servers on the committed secure
// configs: a hub and two sites linked over TLS with the private CA, each denial shown on the wire.
const cli = (out: string, ...args: string[]) => execFileSync('node', [join(repoRoot(), 'dist/tools/provisioning/src/main.js'), ...args, '--out', out], { encoding: 'utf8' });
const seed = (path: string) => new TextEncoder().encode(readFileSync(path, 'utf8').trim());
const mqttCreds = (path: string) => Object.fromEntries(readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split('=') as [string, string]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  proc: RunningProcess;
  /** Stops the server and starts it again on the same ports, store and config. */
  restart(): Promise<void>;
  port: number;
  http: number;
  mqtt: number;
  leaf: number;
}

describe('NATS identities: per-site and per-gateway credentials, TLS leaf link with a private CA (real nats-servers)', () => {
  let dir: TempDir;
  let ids: string;
  let hub: Server;
  const sites: Record<string, Server> = {};
  const procs: RunningProcess[] = [];
  const conns: NatsConnection[] = [];

  async function startServer(name: string, confDir: string, conf: string, extraEnv: Record<string, string>): Promise<Server> {
    // The committed configs go beside the rendered nats-auth.conf, as a k8s projected volume puts them.
    for (const f of readdirSync(join(repoRoot(), 'config/nats'))) copyFileSync(join(repoRoot(), 'config/nats', f), join(confDir, f));
    const s = { port: await freePort(), http: await freePort(), mqtt: await freePort(), leaf: await freePort() };
    const env = {
      ...process.env,
      NATS_SERVER_NAME: name,
      NATS_PORT: String(s.port),
      NATS_HTTP_PORT: String(s.http),
      NATS_MQTT_PORT: String(s.mqtt),
      NATS_LEAF_PORT: String(s.leaf),
      NATS_LEAF_ADVERTISE: `127.0.0.1:${s.leaf}`,
      NATS_STORE_DIR: join(dir.path, `store-${name}`),
      NATS_MAX_FILE_STORE: '1GB',
      ...extraEnv,
    };
    const launch = async () => {
      const proc = startProcess('nats-server', ['-c', join(confDir, conf)], { env });
      procs.push(proc);
      await waitFor(async () => {
        if (proc.child.exitCode !== null) throw new WaitAborted(`${name} exited:\n${proc.output()}`);
        return (await fetch(`http://127.0.0.1:${s.http}/healthz`).catch(() => null))?.ok ?? false;
      }, { what: `${name}'s nats-server` });
      return proc;
    };
    const server: Server = {
      ...s,
      proc: await launch(),
      async restart() {
        await server.proc.stop();
        server.proc = await launch();
      },
    };
    return server;
  }

  async function startSite(site: string, idDir: string, hubLeafPort: number): Promise<Server> {
    const d = join(idDir, 'sites', site);
    return startServer(`${site}-nats`, d, 'nats-leaf-secure.conf', {
      NATS_JS_DOMAIN: site,
      NATS_HUB_LEAF_URL: `nats-leaf://127.0.0.1:${hubLeafPort}`,
      NATS_LEAF_TLS_CERT: join(d, 'leaf-tls.crt'),
      NATS_LEAF_TLS_KEY: join(d, 'leaf-tls.key'),
      NATS_LEAF_TLS_CA: join(d, 'ca.crt'),
    });
  }

  const reloads = (s: Server) => s.proc.output().split('Reloaded server configuration').length - 1;
  /** SIGHUP, as `nats-server --signal reload` sends it, and wait until the server says it reloaded. */
  const reload = async (s: Server) => {
    const before = reloads(s);
    s.proc.child.kill('SIGHUP');
    await waitFor(() => reloads(s) > before, { timeoutMs: 10_000, what: 'the reload' });
  };

  const leafs = async (s: Server) => ((await (await fetch(`http://127.0.0.1:${s.http}/leafz`)).json()) as { leafnodes: number }).leafnodes;

  async function open(s: Server, opts: Parameters<typeof connect>[0] = {}): Promise<NatsConnection> {
    const nc = await connect({ servers: `nats://127.0.0.1:${s.port}`, reconnect: false, ...opts });
    conns.push(nc);
    return nc;
  }
  const asServices = (site: string) => open(sites[site], { authenticator: nkeyAuthenticator(seed(join(ids, 'sites', site, 'services.nk'))) });
  const asGateway = (site: string, gw: string, at = site) =>
    open(sites[at], { authenticator: nkeyAuthenticator(seed(join(ids, 'sites', site, 'gateways', `${gw}.nk`))), inboxPrefix: `_INBOX_${site}_${gw}` });
  const asPlatform = () => open(hub, { authenticator: nkeyAuthenticator(seed(join(ids, 'hub', 'platform.nk'))) });

  /** Resolves with the server's permission refusal of `subject` on this connection. */
  async function refusal(nc: NatsConnection, subject: string, op: 'publish' | 'subscription'): Promise<string> {
    for await (const s of nc.status() as AsyncIterable<Status & { permissionContext?: { operation: string; subject: string } }>) {
      if (s.type === 'error' && s.permissionContext?.subject === subject && s.permissionContext.operation === op) return String(s.data);
    }
    throw new Error('connection closed without the refusal');
  }

  /** Messages a subscription receives within `ms`. */
  function collect(nc: NatsConnection, subject: string): { msgs: Msg[] } {
    const box = { msgs: [] as Msg[] };
    nc.subscribe(subject, { callback: (_e, m) => box.msgs.push(m) });
    return box;
  }

  beforeAll(async () => {
    dir = makeTempDir('mw-nats-ids-');
    ids = join(dir.path, 'identities');
    cli(ids, 'hub', '--host', '127.0.0.1');
    const handover = cli(ids, 'site', 'plant-1');
    expect(handover).toContain('NATS_LEAF_TLS_CERT=');
    cli(ids, 'site', 'plant-2');
    cli(ids, 'gateway', 'plant-1', 'gw-1');
    cli(ids, 'gateway', 'plant-1', 'gw-revoked');
    expect(cli(ids, 'gateway', 'plant-1', 'gw-mqtt', '--mqtt')).toContain('MQTT_PASSWORD=');
    const h = join(ids, 'hub');
    hub = await startServer('hub', h, 'nats-hub-secure.conf', {
      NATS_JS_DOMAIN: 'hub',
      NATS_LEAF_TLS_CERT: join(h, 'leaf-tls.crt'),
      NATS_LEAF_TLS_KEY: join(h, 'leaf-tls.key'),
      NATS_LEAF_TLS_CA: join(h, 'ca.crt'),
    });
    for (const s of ['plant-1', 'plant-2']) {
      sites[s] = await startSite(s, ids, hub.leaf);
    }
  });
  afterAll(async () => {
    for (const nc of conns) await nc.close().catch(() => undefined);
    for (const p of procs) await p.stop();
    dir?.remove();
  });

  it('links both sites to the hub over TLS with their own certificates, and sourcing works both ways', async () => {
    await waitFor(async () => (await leafs(hub)) === 2, { timeoutMs: 15_000, what: 'both leaf links' });
    const lz = (await (await fetch(`http://127.0.0.1:${hub.http}/connz?auth=true`)).json()) as unknown;
    expect(JSON.stringify(lz)).not.toContain('CN=site'); // leaf users are not client connections
    const platform = await asPlatform();
    const hubJsm = await platform.jetstreamManager();
    await hubJsm.streams.add({ name: 'DOWNLINK', subjects: ['downlink.v1.>'], storage: StorageType.File });
    const site = await asServices('plant-1');
    const siteJsm = await site.jetstreamManager();
    await siteJsm.streams.add({ name: 'SYNC_OUT', subjects: ['sync.v1.plant-1.>'], storage: StorageType.File });
    await siteJsm.streams.add({ name: 'DOWNLINK_IN', storage: StorageType.File, sources: [{ name: 'DOWNLINK', filter_subject: 'downlink.v1.plant-1.>', external: { api: '$JS.hub.API', deliver: 'deliver.downlink.plant-1' } }] });
    await hubJsm.streams.add({ name: 'SYNC_IN_plant-1', storage: StorageType.File, sources: [{ name: 'SYNC_OUT', external: { api: '$JS.plant-1.API', deliver: 'deliver.sync.plant-1' } }] });
    for (let n = 0; n < 20; n++) await site.jetstream().publish(`sync.v1.plant-1.twin.a${n}`, new TextEncoder().encode(String(n)));
    await platform.jetstream().publish('downlink.v1.plant-1.desired.a1', new TextEncoder().encode('{}'));
    await platform.jetstream().publish('downlink.v1.plant-2.desired.a1', new TextEncoder().encode('{}'));
    await waitFor(async () => (await hubJsm.streams.info('SYNC_IN_plant-1')).state.messages === 20, { timeoutMs: 20_000, what: "the hub sourcing plant-1's outbox over TLS" });
    await waitFor(async () => (await siteJsm.streams.info('DOWNLINK_IN')).state.messages === 1, { timeoutMs: 20_000, what: "plant-1 sourcing its downlink over TLS" });
  });

  it("keeps a site from sourcing another site's part of the hub's downlink", async () => {
    const site = await asServices('plant-1');
    const siteJsm = await site.jetstreamManager();
    const hubJsm = await (await asPlatform()).jetstreamManager();
    expect((await hubJsm.streams.info('DOWNLINK')).state.messages).toBe(2); // one for each site
    await siteJsm.streams.add({ name: 'SPY', storage: StorageType.File, sources: [{ name: 'DOWNLINK', filter_subject: 'downlink.v1.plant-2.>', external: { api: '$JS.hub.API', deliver: 'deliver.downlink.plant-1.spy' } }] });
    await sleep(3_000);
    expect((await siteJsm.streams.info('SPY')).state.messages).toBe(0);
    expect((await siteJsm.streams.info('DOWNLINK_IN')).state.messages).toBe(1);
    await siteJsm.streams.delete('SPY');
  });

  it('refuses a client without credentials, on the site and on the hub', async () => {
    await expect(open(sites['plant-1'])).rejects.toThrow(/Authorization Violation/i);
    await expect(open(hub)).rejects.toThrow(/Authorization Violation/i);
    // The site's leaf user (no password, matched by certificate) cannot be used as a plain client.
    await expect(open(hub, { user: 'CN=site-plant-1,O=Millwright' })).rejects.toThrow(/Authorization Violation/i);
  });

  it("lets a gateway publish its own site's readings, and nothing else", async () => {
    const services = await asServices('plant-1');
    const got = collect(services, 'telemetry.>');
    await services.flush();
    const gw = await asGateway('plant-1', 'gw-1');
    gw.publish('telemetry.v1.plant-1.pump-1', new TextEncoder().encode('{}'));
    gw.publish('telemetry.v1.plant-1.gw-1.batch', new TextEncoder().encode('[]'));
    // Another site's readings, another gateway's batch subject: refused by the server.
    const wrongSite = refusal(gw, 'telemetry.v1.plant-2.pump-1', 'publish');
    gw.publish('telemetry.v1.plant-2.pump-1', new TextEncoder().encode('{}'));
    expect(await wrongSite).toMatch(/PERMISSIONS_VIOLATION/i);
    const otherBatch = refusal(gw, 'telemetry.v1.plant-1.gw-2.batch', 'publish');
    gw.publish('telemetry.v1.plant-1.gw-2.batch', new TextEncoder().encode('[]'));
    await otherBatch;
    // Wrong subject: neither order nor twin events can be read, nor orders written.
    for (const subject of ['order.v1.>', 'twin.v1.changed.>', '_INBOX.>']) {
      const r = refusal(gw, subject, 'subscription');
      gw.subscribe(subject);
      await r;
    }
    const order = refusal(gw, 'order.v1.plant-1.pump-1', 'publish');
    gw.publish('order.v1.plant-1.pump-1', new TextEncoder().encode('{}'));
    await order;
    await gw.flush();
    await services.flush();
    await sleep(300);
    expect(got.msgs.map((m) => m.subject).sort()).toEqual(['telemetry.v1.plant-1.gw-1.batch', 'telemetry.v1.plant-1.pump-1']);
    // A JetStream publish (acked on the gateway's own inbox) works.
    const js = gw.jetstream();
    const siteJsm = await services.jetstreamManager();
    await siteJsm.streams.add({ name: 'TELEMETRY', subjects: ['telemetry.v1.>'], storage: StorageType.File });
    expect((await js.publish('telemetry.v1.plant-1.pump-2', new TextEncoder().encode('{}'))).stream).toBe('TELEMETRY');
  });

  it('runs the gateway simulator with the handed-over credentials (NATS with JetStream acks, and MQTT)', async () => {
    const services = await asServices('plant-1');
    const jsm = await services.jetstreamManager();
    const before = (await jsm.streams.info('TELEMETRY')).state.messages;
    const sim = (env: Record<string, string>) =>
      execFileSync('node', [join(repoRoot(), 'dist/apps/sensor-simulator/src/main.js')], {
        encoding: 'utf8',
        env: { ...process.env, SIM_SITE: 'plant-1', SIM_SOURCE: 'synthetic', SIM_ENGINES: '2', SIM_RATE: '0', SIM_MAX_READINGS: '20', SIM_PROGRESS_MS: '0', ...env },
      });
    const creds = mqttCreds(join(ids, 'sites/plant-1/gateways/gw-mqtt.mqtt'));
    sim({ SIM_GATEWAY: 'gw-1', SIM_BATCH_SIZE: '5', SIM_JETSTREAM_ACK: 'true', NATS_URL: `nats://127.0.0.1:${sites['plant-1'].port}`, NATS_NKEY_SEED_FILE: join(ids, 'sites/plant-1/gateways/gw-1.nk'), NATS_INBOX_PREFIX: '_INBOX_plant-1_gw-1' });
    sim({ SIM_GATEWAY: 'gw-mqtt', SIM_TRANSPORT: 'mqtt', MQTT_URL: `mqtt://127.0.0.1:${sites['plant-1'].mqtt}`, MQTT_USERNAME: creds.MQTT_USERNAME, MQTT_PASSWORD: creds.MQTT_PASSWORD });
    // 4 batches of 5 over NATS, 20 single readings over MQTT.
    await waitFor(async () => (await jsm.streams.info('TELEMETRY')).state.messages === before + 24, { timeoutMs: 10_000, what: 'the simulated readings in TELEMETRY' });
  });

  it("refuses a gateway's credentials at another site's server", async () => {
    await expect(asGateway('plant-1', 'gw-1', 'plant-2')).rejects.toThrow(/Authorization Violation/i);
  });

  it('takes MQTT readings only with the gateway credentials, only for its own site', async () => {
    const url = `mqtt://127.0.0.1:${sites['plant-1'].mqtt}`;
    await expect(connectAsync(url, { clientId: 'anon', reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow(/Not authorized|Bad User Name or Password/i);
    const creds = mqttCreds(join(ids, 'sites/plant-1/gateways/gw-mqtt.mqtt'));
    await expect(connectAsync(url, { clientId: 'wrong', username: creds.MQTT_USERNAME, password: 'not-the-password', reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow(/Not authorized|Bad User Name or Password/i);
    const services = await asServices('plant-1');
    const got = collect(services, 'telemetry.v1.*.mqtt-asset');
    await services.flush();
    const client = await connectAsync(url, { clientId: 'gw-mqtt', username: creds.MQTT_USERNAME, password: creds.MQTT_PASSWORD, reconnectPeriod: 0 });
    await client.publishAsync('telemetry/v1/plant-1/mqtt-asset', '{}', { qos: 1 });
    await client.publishAsync('telemetry/v1/plant-2/mqtt-asset', '{}', { qos: 0 }).catch(() => undefined);
    await sleep(500);
    await client.endAsync(true).catch(() => undefined);
    expect(got.msgs.map((m) => m.subject)).toEqual(['telemetry.v1.plant-1.mqtt-asset']);
    // The MQTT user cannot be used on the NATS port.
    await expect(open(sites['plant-1'], { user: creds.MQTT_USERNAME, pass: creds.MQTT_PASSWORD })).rejects.toThrow(/Authorization Violation/i);
  });

  it('drops a revoked gateway at the reload, and refuses it from then on', async () => {
    const gw = await asGateway('plant-1', 'gw-revoked');
    expect(cli(ids, 'revoke', 'plant-1', 'gw-revoked')).toContain('revoked 1 identity');
    await reload(sites['plant-1']);
    await waitFor(() => gw.isClosed(), { timeoutMs: 10_000, what: 'the revoked connection closed' });
    await expect(asGateway('plant-1', 'gw-revoked')).rejects.toThrow(/Authorization Violation/i);
    // The others stay.
    await (await asGateway('plant-1', 'gw-1')).flush();
  });

  it('refuses a gateway whose credentials expired, once the auth file is rendered again', async () => {
    cli(ids, 'gateway', 'plant-1', 'gw-short', '--lifetime', '3s');
    await reload(sites['plant-1']);
    await (await asGateway('plant-1', 'gw-short')).flush();
    await sleep(3_500);
    cli(ids, 'render');
    await reload(sites['plant-1']);
    await expect(asGateway('plant-1', 'gw-short')).rejects.toThrow(/Authorization Violation/i);
  });

  it('keeps a site link to its own subjects at the hub', async () => {
    const platform = await asPlatform();
    const own = collect(platform, 'deliver.sync.plant-1.probe');
    const spoofed = collect(platform, 'deliver.sync.plant-2.probe');
    await platform.flush();
    const central1 = collect(await asServices('plant-1'), 'central.v1.>');
    const central2 = collect(await asServices('plant-2'), 'central.v1.>');
    const p1 = await asServices('plant-1');
    // Interest crosses the leaf links in its own time: repeat the allowed message until it arrives.
    await waitFor(async () => {
      p1.publish('deliver.sync.plant-1.probe', new TextEncoder().encode('own'));
      platform.publish('central.v1.plant-2.sync.applied', new TextEncoder().encode('for plant-2'));
      return own.msgs.length > 0 && central2.msgs.length > 0;
    }, { timeoutMs: 10_000, intervalMs: 100, what: 'the allowed messages across both links' });
    // plant-1 speaking as plant-2 on the sourcing subject never reaches the hub: a marker sent after
    // it on the same connection and link arrives, the spoofed message does not.
    const marks = own.msgs.length;
    p1.publish('deliver.sync.plant-2.probe', new TextEncoder().encode('spoofed'));
    p1.publish('deliver.sync.plant-1.probe', new TextEncoder().encode('marker'));
    await waitFor(() => own.msgs.length > marks, { timeoutMs: 5_000, what: 'the marker' });
    expect(spoofed.msgs).toEqual([]);
    // plant-2's central messages never reach plant-1.
    expect(central2.msgs.every((m) => m.subject === 'central.v1.plant-2.sync.applied')).toBe(true);
    expect(central1.msgs).toEqual([]);
  });

  it('refuses a site whose certificate is not from the private CA', async () => {
    const foreign = join(dir.path, 'foreign');
    cli(foreign, 'site', 'plant-3');
    const rogue = await startSite('plant-3', foreign, hub.leaf);
    await waitFor(() => /tls|certificate|handshake/i.test(rogue.proc.output()), { timeoutMs: 10_000, what: 'the TLS refusal' });
    expect(await leafs(hub)).toBe(2);
    await rogue.proc.stop();
  });

  it('refuses a revoked site once the hub has reloaded and its link is re-established', async () => {
    cli(ids, 'revoke', 'plant-2');
    await reload(hub);
    // nats-server 2.9 does not re-check a live leaf link at a reload (it does for clients): the
    // revocation takes hold when the link is set up again, so the runbook restarts the hub.
    await hub.restart();
    await waitFor(async () => (await leafs(hub)) === 1, { timeoutMs: 15_000, what: 'plant-1 back alone' });
    await waitFor(() => /authorization violation|authentication/i.test(sites['plant-2'].proc.output() + hub.proc.output()), { timeoutMs: 10_000, what: "plant-2's refusal" });
    await sleep(2_000); // it keeps redialling and keeps being refused
    expect(await leafs(hub)).toBe(1);
  });
});
