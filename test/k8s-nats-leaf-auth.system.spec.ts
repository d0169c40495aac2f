import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, makeTempDir, repoRoot, startProcess, waitFor, WaitAborted, type RunningProcess, type TempDir } from '@millwright/testing';

// The configs exactly as the k8s ConfigMaps mount them, projected with the identity Secrets made by
// `npm run provision` (the files side by side in one folder), run by the real nats-server with the
// environment the StatefulSets give it.
const k8s = (p: string) => join(repoRoot(), 'k8s', p);
const provision = (out: string, ...args: string[]) => execFileSync('node', [join(repoRoot(), 'dist/tools/provisioning/src/main.js'), ...args, '--out', out]);

/** The folder a projected volume makes: the ConfigMap's files plus the Secret's. */
function projected(into: string, configDir: string, identityDir: string): string {
  mkdirSync(into, { recursive: true });
  for (const f of readdirSync(configDir).filter((x) => x.endsWith('.conf'))) copyFileSync(join(configDir, f), join(into, f));
  for (const f of ['nats-auth.conf', 'leaf-tls.crt', 'leaf-tls.key', 'ca.crt']) copyFileSync(join(identityDir, f), join(into, f));
  return into;
}

describe('k8s NATS configs: the hub admits only sites with a certificate from the private CA (real nats-server)', () => {
  let dir: TempDir;
  let ids: string;
  let hub: RunningProcess;
  const hubPorts = { client: 0, http: 0, leaf: 0 };
  const sites: RunningProcess[] = [];

  beforeAll(async () => {
    dir = makeTempDir('mw-k8s-nats-');
    ids = join(dir.path, 'identities');
    provision(ids, 'site', 'plant-1');
    hubPorts.client = await freePort();
    hubPorts.http = await freePort();
    hubPorts.leaf = await freePort();
    const etc = projected(join(dir.path, 'hub-etc'), k8s('base/central'), join(ids, 'hub'));
    hub = startProcess('nats-server', ['-c', join(etc, 'nats-hub-secure.conf')], {
      env: {
        ...process.env,
        NATS_SERVER_NAME: 'hub',
        NATS_JS_DOMAIN: 'hub',
        NATS_PORT: String(hubPorts.client),
        NATS_HTTP_PORT: String(hubPorts.http),
        NATS_LEAF_PORT: String(hubPorts.leaf),
        NATS_LEAF_ADVERTISE: `127.0.0.1:${hubPorts.leaf}`,
        NATS_STORE_DIR: join(dir.path, 'hub'),
        NATS_MAX_FILE_STORE: '1GB',
        NATS_LEAF_TLS_CERT: join(etc, 'leaf-tls.crt'),
        NATS_LEAF_TLS_KEY: join(etc, 'leaf-tls.key'),
        NATS_LEAF_TLS_CA: join(etc, 'ca.crt'),
      },
    });
    await waitFor(async () => {
      if (hub.child.exitCode !== null) throw new WaitAborted(`hub exited:\n${hub.output()}`);
      return (await fetch(`http://127.0.0.1:${hubPorts.http}/healthz`)).ok;
    }, { what: 'the hub' });
  });
  afterAll(async () => {
    for (const s of sites) await s.stop();
    await hub?.stop();
    dir?.remove();
  });

  async function site(name: string, identityDir: string): Promise<RunningProcess> {
    const http = await freePort();
    const etc = projected(join(dir.path, `${name}-etc`), k8s('base/edge/common'), identityDir);
    const p = startProcess('nats-server', ['-c', join(etc, 'nats-leaf-secure.conf')], {
      env: {
        ...process.env,
        NATS_SERVER_NAME: `${name}-nats`,
        NATS_JS_DOMAIN: name,
        NATS_PORT: String(await freePort()),
        NATS_HTTP_PORT: String(http),
        NATS_MQTT_PORT: String(await freePort()),
        NATS_STORE_DIR: join(dir.path, name),
        NATS_MAX_FILE_STORE: '1GB',
        NATS_HUB_LEAF_URL: `nats-leaf://127.0.0.1:${hubPorts.leaf}`,
        NATS_LEAF_TLS_CERT: join(etc, 'leaf-tls.crt'),
        NATS_LEAF_TLS_KEY: join(etc, 'leaf-tls.key'),
        NATS_LEAF_TLS_CA: join(etc, 'ca.crt'),
      },
    });
    sites.push(p);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${http}/healthz`)).ok, { what: `${name}'s nats-server` });
    return p;
  }
  const leafCount = async () => ((await (await fetch(`http://127.0.0.1:${hubPorts.http}/leafz`)).json()) as { leafnodes: number }).leafnodes;

  it('a site with its certificate from the Secret joins', async () => {
    await site('plant-1', join(ids, 'sites', 'plant-1'));
    await waitFor(async () => (await leafCount()) === 1, { timeoutMs: 10_000, what: 'the leaf connection' });
  });

  it('a site with a certificate from another CA is refused', async () => {
    const foreign = join(dir.path, 'foreign');
    provision(foreign, 'site', 'plant-2');
    const refused = await site('plant-2', join(foreign, 'sites', 'plant-2'));
    await waitFor(() => /tls|certificate|handshake/i.test(refused.output() + hub.output()), { timeoutMs: 10_000, what: 'the refusal in the logs' });
    expect(await leafCount()).toBe(1);
  });
});
