import { join } from 'node:path';
import { freePort, makeTempDir, repoRoot, startProcess, waitFor, WaitAborted, type RunningProcess, type TempDir } from '@millwright/testing';

// The configs exactly as the k8s ConfigMaps mount them, run by the real nats-server with the
// environment the StatefulSets give it.
const k8s = (p: string) => join(repoRoot(), 'k8s', p);

describe('k8s NATS configs: the hub admits only sites with the leaf password (real nats-server)', () => {
  let dir: TempDir;
  let hub: RunningProcess;
  const hubPorts = { client: 0, http: 0, leaf: 0 };
  const sites: RunningProcess[] = [];

  beforeAll(async () => {
    dir = makeTempDir('mw-k8s-nats-');
    hubPorts.client = await freePort();
    hubPorts.http = await freePort();
    hubPorts.leaf = await freePort();
    hub = startProcess('nats-server', ['-c', k8s('base/central/nats-hub-k8s.conf')], {
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
        NATS_LEAF_USER: 'sites',
        NATS_LEAF_PASSWORD: 'right-password',
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

  async function site(name: string, password: string): Promise<RunningProcess> {
    const http = await freePort();
    const p = startProcess('nats-server', ['-c', k8s('base/edge/common/nats-leaf.conf')], {
      env: {
        ...process.env,
        NATS_SERVER_NAME: `${name}-nats`,
        NATS_JS_DOMAIN: name,
        NATS_PORT: String(await freePort()),
        NATS_HTTP_PORT: String(http),
        NATS_MQTT_PORT: String(await freePort()),
        NATS_STORE_DIR: join(dir.path, name),
        NATS_MAX_FILE_STORE: '1GB',
        NATS_HUB_LEAF_URL: `nats-leaf://sites:${password}@127.0.0.1:${hubPorts.leaf}`,
      },
    });
    sites.push(p);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${http}/healthz`)).ok, { what: `${name}'s nats-server` });
    return p;
  }
  const leafCount = async () => ((await (await fetch(`http://127.0.0.1:${hubPorts.http}/leafz`)).json()) as { leafnodes: number }).leafnodes;

  it('a site with the password from its Secret joins', async () => {
    await site('plant-1', 'right-password');
    await waitFor(async () => (await leafCount()) === 1, { timeoutMs: 10_000, what: 'the leaf connection' });
  });

  it('a site with a wrong password is refused', async () => {
    const refused = await site('plant-2', 'wrong-password');
    await waitFor(() => /authoriz|authentication/i.test(refused.output() + hub.output()), { timeoutMs: 10_000, what: 'the refusal in the logs' });
    expect(await leafCount()).toBe(1);
  });
});
