import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { startProcess, type RunningProcess } from './child-process';
import { freePort } from './ports';
import { repoRoot } from './repo-root';
import { makeTempDir } from './temp-dir';
import { waitFor } from './wait-for';

/**
 * How the sites are separated from the hub.
 * - `netns`: each site's server runs in its own network namespace; its uplink to the hub is a veth
 *   pair that `cut` takes down, so packets vanish the way they do when a real WAN link dies.
 * - `process`: every server runs on the host and each site's leaf connection goes through a relay in
 *   this process that `cut` closes, so the site's server keeps running and accepting local traffic.
 */
export type TopologyIsolation = 'netns' | 'process';

export interface TopologyOptions {
  sites: string[];
  /** `auto` (the default) uses namespaces when running as root with `ip`, else `process`. */
  isolation?: TopologyIsolation | 'auto';
  hubDomain?: string;
  /** JetStream domain of a site; defaults to the site name. */
  siteDomain?: (site: string) => string;
}

export interface TopologyHub {
  url: string;
  domain: string;
  monitorUrl: string;
  leafPort: number;
  storeDir: string;
}

export interface TopologySite {
  name: string;
  /** Client URL reachable from the test process (in `netns`, the site's LAN-side address). */
  url: string;
  mqttUrl: string;
  domain: string;
  monitorUrl: string;
  storeDir: string;
  /** True when both the hub and the site list their leaf connection to each other. */
  leafConnected(): Promise<boolean>;
}

export interface Topology {
  isolation: TopologyIsolation;
  /** Why `auto` did not get namespaces (undefined when it did, or when `process` was asked for). */
  fallbackReason?: string;
  hub: TopologyHub;
  sites: Record<string, TopologySite>;
  site(name: string): TopologySite;
  /** Cuts the site's uplink to the hub; the site keeps serving its local clients. */
  cut(site: string): Promise<void>;
  /** Brings the uplink back; the leaf reconnects on its own (see `leafConnected`). */
  restore(site: string): Promise<void>;
  /** Stops every server and removes namespaces, veths and stores. Safe to call twice or after a failed start. */
  stop(): Promise<void>;
}

interface SiteRuntime {
  public: TopologySite;
  cut(): Promise<void>;
  restore(): Promise<void>;
}

/** Undo steps of a topology, run by `stop` in reverse order; each one tolerates having nothing to undo. */
type Cleanups = Array<() => void | Promise<void>>;

const natsBin = (): string => process.env.NATS_SERVER_BIN ?? 'nats-server';
const NS_NAME = /^mw[0-9a-f]{4}-(\d+)-\d+$/;

/**
 * One hub and one leaf-node edge server per site, on free ports and temporary stores, with the
 * committed configs (config/nats/nats-hub.conf and nats-leaf.conf).
 */
export async function startHubAndSites(opts: TopologyOptions): Promise<Topology> {
  let isolation: TopologyIsolation;
  let fallbackReason: string | undefined;
  const wanted = opts.isolation ?? 'auto';
  if (wanted === 'auto') {
    fallbackReason = netnsUnavailableReason();
    isolation = fallbackReason ? 'process' : 'netns';
  } else {
    isolation = wanted;
  }

  const runtimes = new Map<string, SiteRuntime>();
  const cleanups: Cleanups = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    let firstError: unknown;
    // Sites before the hub, and servers before their namespaces: a namespace with a process still
    // inside outlives `ip netns del`, and so would its veth pair.
    for (const undo of cleanups.reverse()) {
      try {
        await undo();
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError) throw firstError;
  };

  const startAll = async (): Promise<TopologyHub> => {
    const [port, httpPort, leafPort] = [await freePort(), await freePort(), await freePort()];
    const hubDomain = opts.hubDomain ?? 'hub';
    const hubStore = makeTempDir('mw-hub-');
    cleanups.push(() => hubStore.remove());
    await launchNats(cleanups, {
      command: [natsBin(), '-c', join(repoRoot(), 'config/nats/nats-hub.conf')],
      env: {
        NATS_SERVER_NAME: `mw-hub-${port}`,
        NATS_PORT: String(port),
        NATS_HTTP_PORT: String(httpPort),
        NATS_LEAF_PORT: String(leafPort),
        // Sites reach the hub by different paths (a relay, a veth), so no one address fits them all;
        // one where nothing listens keeps a cut site from reconnecting around its cut.
        NATS_LEAF_ADVERTISE: '127.0.0.1:1',
        NATS_STORE_DIR: hubStore.path,
        NATS_JS_DOMAIN: hubDomain,
        NATS_MAX_FILE_STORE: '2GB',
      },
      monitorUrl: `http://127.0.0.1:${httpPort}`,
      what: 'hub nats-server',
    });
    const hub: TopologyHub = { url: `nats://127.0.0.1:${port}`, domain: hubDomain, monitorUrl: `http://127.0.0.1:${httpPort}`, leafPort, storeDir: hubStore.path };

    const tag = `mw${randomBytes(2).toString('hex')}`;
    let netns: NetnsPlan | undefined;
    if (isolation === 'netns') {
      sweepStaleNamespaces();
      netns = { tag, octet: pickFreeOctet() };
    }
    // Sites start together: each waits for its own JetStream, and on two cores that wait dominates.
    // allSettled, not all: a site still starting when another failed must have registered its
    // cleanups before stop() runs, or its server and namespace would outlive the test.
    const started = await Promise.allSettled(
      opts.sites.map(async (name, index) => {
        const domain = opts.siteDomain?.(name) ?? name;
        const runtime = netns ? await startNetnsSite(cleanups, name, index, domain, hub, netns) : await startProcessSite(cleanups, name, domain, hub);
        runtimes.set(name, runtime);
      }),
    );
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return hub;
  };
  let hub: TopologyHub;
  try {
    hub = await startAll();
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }

  const site = (name: string): SiteRuntime => {
    const r = runtimes.get(name);
    if (!r) throw new Error(`unknown site ${name}; sites are ${[...runtimes.keys()].join(', ')}`);
    return r;
  };
  return {
    isolation,
    fallbackReason,
    hub,
    sites: Object.fromEntries([...runtimes].map(([n, r]) => [n, r.public])),
    site: (name) => site(name).public,
    cut: (name) => site(name).cut(),
    restore: (name) => site(name).restore(),
    stop,
  };
}

interface LaunchSpec {
  command: string[];
  env: Record<string, string>;
  monitorUrl: string;
  what: string;
}

/** Starts a nats-server (directly or through `ip netns exec`) and waits until JetStream answers. */
async function launchNats(cleanups: Cleanups, spec: LaunchSpec): Promise<RunningProcess> {
  const [cmd, ...args] = spec.command;
  const p = startProcess(cmd, args, { env: { ...process.env, ...spec.env } });
  p.child.once('error', () => undefined);
  cleanups.push(() => p.stop());
  let started = false;
  // A server that refuses its config exits at once; say so then rather than after the full wait.
  const exitedEarly = p.exited.then((code) => {
    if (!started) throw new Error(`${spec.what} exited with ${code}:\n${p.output()}`);
  });
  await Promise.race([
    exitedEarly,
    // An exited server ends the polling too; exitedEarly has already rejected with the reason.
    waitFor(async () => p.child.exitCode !== null || p.child.signalCode !== null || (await fetch(`${spec.monitorUrl}/healthz?js-enabled-only=true`)).ok, {
      timeoutMs: 15_000,
      what: `${spec.what} (is the Debian package nats-server installed?)`,
    }),
  ]).finally(() => (started = true));
  return p;
}

function siteEnv(name: string, domain: string, ports: { port: number; httpPort: number; mqttPort: number }, storeDir: string, hubLeafUrl: string): Record<string, string> {
  return {
    NATS_SERVER_NAME: `mw-${name}-${ports.port}`,
    NATS_PORT: String(ports.port),
    NATS_HTTP_PORT: String(ports.httpPort),
    NATS_MQTT_PORT: String(ports.mqttPort),
    NATS_STORE_DIR: storeDir,
    NATS_JS_DOMAIN: domain,
    NATS_MAX_FILE_STORE: '2GB',
    NATS_HUB_LEAF_URL: hubLeafUrl,
  };
}

async function sitePorts(): Promise<{ port: number; httpPort: number; mqttPort: number }> {
  return { port: await freePort(), httpPort: await freePort(), mqttPort: await freePort() };
}

interface LeafzEntry {
  ip: string;
  port: number;
}

interface LeafzReply {
  leafnodes?: number;
  leafs?: LeafzEntry[];
}

async function leafz(monitorUrl: string): Promise<LeafzReply> {
  const res = await fetch(`${monitorUrl}/leafz`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`${monitorUrl}/leafz answered ${res.status}`);
  return (await res.json()) as LeafzReply;
}

/**
 * Each side only drops a dead leaf connection after its own ping timeout, so "connected" needs both:
 * the hub listing a connection from this site and the site listing its remote. nats-server 2.9's
 * /leafz names neither end, so the hub's entry is recognised by the address it came from.
 */
function leafConnectedProbe(hub: TopologyHub, siteMonitorUrl: string, fromSite: (leaf: LeafzEntry) => boolean): () => Promise<boolean> {
  return async () => {
    try {
      const [atHub, atSite] = await Promise.all([leafz(hub.monitorUrl), leafz(siteMonitorUrl)]);
      return (atHub.leafs ?? []).some(fromSite) && (atSite.leafnodes ?? 0) > 0;
    } catch {
      return false;
    }
  };
}

async function startProcessSite(cleanups: Cleanups, name: string, domain: string, hub: TopologyHub): Promise<SiteRuntime> {
  const store = makeTempDir(`mw-${name}-`);
  cleanups.push(() => store.remove());
  const relay = await startLeafRelay(hub.leafPort);
  cleanups.push(() => relay.close());
  const ports = await sitePorts();
  const env = siteEnv(name, domain, ports, store.path, `nats-leaf://127.0.0.1:${relay.port}`);
  const monitorUrl = `http://127.0.0.1:${ports.httpPort}`;
  await launchNats(cleanups, { command: [natsBin(), '-c', join(repoRoot(), 'config/nats/nats-leaf.conf')], env, monitorUrl, what: `nats-server of ${name}` });
  return {
    public: {
      name,
      url: `nats://127.0.0.1:${ports.port}`,
      mqttUrl: `mqtt://127.0.0.1:${ports.mqttPort}`,
      domain,
      monitorUrl,
      storeDir: store.path,
      leafConnected: leafConnectedProbe(hub, monitorUrl, (leaf) => relay.hubSidePorts().has(leaf.port)),
    },
    cut: async () => relay.cut(),
    restore: async () => relay.restore(),
  };
}

interface LeafRelay {
  port: number;
  /** Local ports of the relay's connections to the hub: the hub's /leafz lists them as the leafs' ports. */
  hubSidePorts(): Set<number>;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay between a site's leaf remote and the hub. Without namespaces there is no link to take
 * down, and stopping the site's server would also stop the site, which is exactly what must keep
 * working during an outage; closing the relayed connections cuts only the uplink.
 */
async function startLeafRelay(hubLeafPort: number): Promise<LeafRelay> {
  const sockets = new Set<Socket>();
  const toHub = new Set<Socket>();
  let isCut = false;
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((inbound) => {
    track(inbound);
    if (isCut) return void inbound.destroy();
    const outbound = tcpConnect(hubLeafPort, '127.0.0.1');
    track(outbound);
    toHub.add(outbound);
    outbound.once('close', () => toHub.delete(outbound));
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.once('close', () => outbound.destroy());
    outbound.once('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    hubSidePorts: () => new Set([...toHub].map((s) => s.localPort).filter((p): p is number => p !== undefined)),
    cut() {
      isCut = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      isCut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface NetnsPlan {
  /** mw + 4 hex digits: unique per run, short enough for 15-character interface names. */
  tag: string;
  /** Second octet of this run's 10.x.0.0/16; each site takes two /30 subnets of it. */
  octet: number;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function ipQuiet(...args: string[]): void {
  spawnSync('ip', args, { stdio: 'ignore' });
}

function netnsUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `\`ip netns\` is not usable: ${probe.error?.message ?? probe.stderr.trim()}`;
  // Root inside an unprivileged container may still lack CAP_SYS_ADMIN; only trying tells.
  const name = `mw${randomBytes(2).toString('hex')}-${process.pid}-probe`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  ipQuiet('netns', 'del', name);
  if (add.status !== 0) return `cannot create a network namespace: ${add.stderr.trim()}`;
  return undefined;
}

/** Namespaces of runs whose process died without `stop` (a killed Jest): their veths go with them. */
function sweepStaleNamespaces(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0];
    const pid = NS_NAME.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) ipQuiet('netns', 'del', name);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A 10.x.0.0/16 that no address or route on this host uses yet (other runs may be going on). */
function pickFreeOctet(): number {
  const used = ip('-4', 'route', 'show', 'table', 'all') + ip('-4', 'addr');
  for (let attempt = 0; attempt < 50; attempt++) {
    const octet = 64 + Math.floor(Math.random() * 190);
    if (!used.includes(`10.${octet}.`)) return octet;
  }
  throw new Error('no free 10.x.0.0/16 for the site namespaces');
}

const liveNamespaces = new Set<string>();
// Jest killed mid-run must not leave namespaces behind; the servers inside get SIGKILL from
// child-process's own exit hook, after which the deleted namespaces and their veths disappear.
process.once('exit', () => {
  for (const ns of liveNamespaces) ipQuiet('netns', 'del', ns);
});

async function startNetnsSite(cleanups: Cleanups, name: string, index: number, domain: string, hub: TopologyHub, plan: NetnsPlan): Promise<SiteRuntime> {
  const ns = `${plan.tag}-${process.pid}-${index}`;
  // Two links per site, as on a real edge box: the uplink to the hub (the one that gets cut) and the
  // site LAN through which the test process plays the site's gateways and services.
  const uplink = { host: `${plan.tag}u${index}h`, site: `${plan.tag}u${index}s`, hostIp: `10.${plan.octet}.${index * 2}.1`, siteIp: `10.${plan.octet}.${index * 2}.2` };
  const lan = { host: `${plan.tag}l${index}h`, site: `${plan.tag}l${index}s`, hostIp: `10.${plan.octet}.${index * 2 + 1}.1`, siteIp: `10.${plan.octet}.${index * 2 + 1}.2` };

  liveNamespaces.add(ns);
  cleanups.push(() => {
    // Deleting the namespace destroys its veth ends and with them their host-side peers.
    ipQuiet('netns', 'del', ns);
    ipQuiet('link', 'del', uplink.host);
    ipQuiet('link', 'del', lan.host);
    liveNamespaces.delete(ns);
  });
  ip('netns', 'add', ns);
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  for (const link of [uplink, lan]) {
    ip('link', 'add', link.host, 'type', 'veth', 'peer', 'name', link.site, 'netns', ns);
    ip('addr', 'add', `${link.hostIp}/30`, 'dev', link.host);
    ip('link', 'set', link.host, 'up');
    ip('-n', ns, 'addr', 'add', `${link.siteIp}/30`, 'dev', link.site);
    ip('-n', ns, 'link', 'set', link.site, 'up');
  }

  const store = makeTempDir(`mw-${name}-`);
  cleanups.push(() => store.remove());
  const ports = await sitePorts();
  const env = siteEnv(name, domain, ports, store.path, `nats-leaf://${uplink.hostIp}:${hub.leafPort}`);
  const monitorUrl = `http://${lan.siteIp}:${ports.httpPort}`;
  // `ip netns exec` execs the server in place, so the handle's signals reach nats-server itself.
  await launchNats(cleanups, { command: ['ip', 'netns', 'exec', ns, natsBin(), '-c', join(repoRoot(), 'config/nats/nats-leaf.conf')], env, monitorUrl, what: `nats-server of ${name} in namespace ${ns}` });
  return {
    public: {
      name,
      url: `nats://${lan.siteIp}:${ports.port}`,
      mqttUrl: `mqtt://${lan.siteIp}:${ports.mqttPort}`,
      domain,
      monitorUrl,
      storeDir: store.path,
      leafConnected: leafConnectedProbe(hub, monitorUrl, (leaf) => leaf.ip === uplink.siteIp),
    },
    // Link down drops packets silently, like a dead WAN link, rather than resetting connections.
    cut: async () => void ip('link', 'set', uplink.host, 'down'),
    restore: async () => void ip('link', 'set', uplink.host, 'up'),
  };
}
