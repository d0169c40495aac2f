import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { APP_PORTS } from './dockerfile.template';
import { renderKustomization, type K8sObject } from './kustomize.renderer';
import { validateAgainstSchemas } from './kubernetes-schema.validation';
import { checkPoliciesAndBudgets, checkReferences, checkWorkloads, quantity, workloads } from './manifest.rules';
import { connectionAllowed, workloadPod, type Endpoint } from './network-policy.evaluator';

const root = join(__dirname, '..', '..', '..');
const overlaysDir = join(root, 'k8s', 'overlays');
const overlays = readdirSync(overlaysDir);
const rendered = new Map(overlays.map((o) => [o, renderKustomization(join(overlaysDir, o))]));
const edge = ['edge-site', 'edge-site-allinone'];
// What a small edge box can give one container; the central cluster has bigger nodes.
const maxMemoryMi = (overlay: string) => (overlay === 'central' ? 1024 : 512);

describe('k8s overlays', () => {
  it('are the edge site (services apart and all-in-one) and the central cluster', () => {
    expect(overlays.sort()).toEqual(['central', 'edge-site', 'edge-site-allinone']);
  });

  it.each(overlays)('%s: every object is valid against the Kubernetes schemas', (overlay) => {
    const results = validateAgainstSchemas(rendered.get(overlay)!, root);
    expect(results.length).toBe(rendered.get(overlay)!.length);
    expect(results.filter((r) => r.errors.length)).toEqual([]);
  });

  it.each(overlays)('%s: every container has requests, limits, probes and a locked-down security context', (overlay) => {
    expect(checkWorkloads(rendered.get(overlay)!, { maxContainerMemoryMi: maxMemoryMi(overlay) })).toEqual([]);
  });

  it.each(overlays)('%s: references resolve, and the only secrets are the expected external ones', (overlay) => {
    const { problems, secrets } = checkReferences(rendered.get(overlay)!);
    expect(problems).toEqual([]);
    expect(secrets).toEqual(
      overlay === 'central'
        ? ['asset-platform-database.url', 'millwright-central-credentials (files)', 'nats-hub-identity (files)']
        : ['console-credentials (files)', 'console-credentials.api-client-token', 'console-credentials.session-secret', 'millwright-credentials (files)', 'millwright-credentials.api-client-token', 'nats-site-identity (files)'],
    );
  });

  it.each(overlays)('%s: network policies deny by default; disruption budgets where replicas allow a drain', (overlay) => {
    expect(checkPoliciesAndBudgets(rendered.get(overlay)!)).toEqual([]);
  });

  it.each(overlays)('%s: every object is in the overlay namespace and has no Secret in it', (overlay) => {
    const objs = rendered.get(overlay)!;
    expect(new Set(objs.map((o) => o.metadata.namespace)).size).toBe(1);
    expect(objs[0].metadata.namespace).toMatch(/^millwright-/);
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it.each(edge)('%s: fits a small box: the whole site requests under 1 GiB and is limited to 1.5 GiB', (overlay) => {
    const containers = workloads(rendered.get(overlay)!).flatMap((w) => (w.spec.template.spec as unknown as { containers: { resources: { requests: { memory: string }; limits: { memory: string } } }[] }).containers);
    expect(containers.reduce((s, c) => s + quantity(c.resources.requests.memory, 'memory'), 0)).toBeLessThan(1024);
    expect(containers.reduce((s, c) => s + quantity(c.resources.limits.memory, 'memory'), 0)).toBeLessThanOrEqual(1536);
  });

  it.each(edge)('%s: caps every Node heap below its container limit', (overlay) => {
    for (const w of workloads(rendered.get(overlay)!).filter((x) => x.metadata.name !== 'nats')) {
      const c = (w.spec.template.spec as unknown as { containers: { env: { name: string; value?: string }[]; resources: { limits: { memory: string } } }[] }).containers[0];
      const heap = Number(/--max-old-space-size=(\d+)/.exec(c.env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '')?.[1]);
      expect([w.metadata.name, heap < quantity(c.resources.limits.memory, 'memory') * 0.7]).toEqual([w.metadata.name, true]);
    }
  });

  it('edge sites differ by their identity only: the same objects, other namespace and site settings', () => {
    const names = (o: string) => rendered.get(o)!.map((x) => `${x.kind}/${x.metadata.name}`).filter((n) => !/edge-allinone|twin-service|twin-api|predictor|maintenance|data/.test(n)).sort();
    expect(names('edge-site')).toEqual(names('edge-site-allinone'));
    const site = (o: string) => (rendered.get(o)!.find((x) => x.kind === 'ConfigMap' && x.metadata.name === 'millwright-site')!.data as Record<string, string>).SITE_ID;
    expect([site('edge-site'), site('edge-site-allinone')]).toEqual(['plant-1', 'plant-2']);
    const nats = (o: string) => rendered.get(o)!.find((x) => x.kind === 'StatefulSet' && x.metadata.name === 'nats')!;
    expect({ ...nats('edge-site').spec as object }).toEqual({ ...nats('edge-site-allinone').spec as object });
  });

  it.each(overlays)('%s: lists in images: exactly the images its workloads run', (overlay) => {
    const k = parse(readFileSync(join(overlaysDir, overlay, 'kustomization.yaml'), 'utf8')) as { images?: { name: string }[] };
    const listed = (k.images ?? []).map((i) => i.name).sort();
    const run = workloads(rendered.get(overlay)!).flatMap((w) => (w.spec.template.spec as unknown as { containers: { image: string }[] }).containers.map((c) => c.image.replace(/:[^/:]+$/, '')));
    expect(listed).toEqual([...new Set(run.filter((i) => listed.includes(i) || i.startsWith('millwright/')))].sort());
  });

  it.each(overlays)("%s: Millwright containers declare the ports of the app table (the Dockerfiles' EXPOSE)", (overlay) => {
    for (const w of workloads(rendered.get(overlay)!)) {
      for (const c of (w.spec.template.spec as unknown as { containers: { image: string; ports?: { containerPort: number }[] }[] }).containers) {
        const app = /^millwright\/([^:]+)/.exec(c.image)?.[1];
        if (!app) continue;
        expect([w.metadata.name, (c.ports ?? []).map((p) => p.containerPort).sort()]).toEqual([w.metadata.name, [...(APP_PORTS[app] ?? [])].sort()]);
      }
    }
  });

  it('ship the committed NATS configs byte for byte', () => {
    const cm = (o: string, name: string) => rendered.get(o)!.find((x) => x.kind === 'ConfigMap' && x.metadata.name === name)!.data as Record<string, string>;
    for (const o of edge) {
      expect(cm(o, 'nats-config')['nats-edge.conf']).toBe(readFileSync(join(root, 'config', 'nats', 'nats-edge.conf'), 'utf8'));
      expect(cm(o, 'nats-config')['nats-leaf.conf']).toBe(readFileSync(join(root, 'config', 'nats', 'nats-leaf.conf'), 'utf8'));
      expect(cm(o, 'nats-config')['nats-leaf-secure.conf']).toBe(readFileSync(join(root, 'config', 'nats', 'nats-leaf-secure.conf'), 'utf8'));
    }
    expect(cm('central', 'nats-hub-config')['nats-hub.conf']).toBe(readFileSync(join(root, 'config', 'nats', 'nats-hub.conf'), 'utf8'));
    expect(cm('central', 'nats-hub-config')['nats-hub-secure.conf']).toBe(readFileSync(join(root, 'config', 'nats', 'nats-hub-secure.conf'), 'utf8'));
  });
});

describe('k8s network flows', () => {
  const kubeSystem = { 'kubernetes.io/metadata.name': 'kube-system' };
  const traefik = (_ns: string): Endpoint => ({ namespace: 'kube-system', namespaceLabels: kubeSystem, labels: { 'app.kubernetes.io/name': 'traefik' } });
  const dns: Endpoint = { namespace: 'kube-system', namespaceLabels: kubeSystem, labels: { 'k8s-app': 'kube-dns' } };
  const gateway: Endpoint = { ip: '10.20.0.17' };
  const stranger: Endpoint = { ip: '192.0.2.50' };
  const internet: Endpoint = { ip: '203.0.113.10' };
  const allowed = (objs: K8sObject[], a: Endpoint, b: Endpoint, port: number, protocol = 'TCP') => connectionAllowed(objs, a, b, port, protocol);

  it('edge-site (services apart): only the flows the services need', () => {
    const objs = rendered.get('edge-site')!;
    const [nats, twin, pred, maint, ui] = [['StatefulSet', 'nats'], ['Deployment', 'twin-service'], ['Deployment', 'predictor'], ['Deployment', 'maintenance'], ['Deployment', 'console']].map(([k, n]) => workloadPod(objs, k, n));
    const needed: [string, boolean][] = [
      ['twin -> nats:4222', allowed(objs, twin, nats, 4222)],
      ['predictor -> nats:4222', allowed(objs, pred, nats, 4222)],
      ['maintenance -> nats:4222', allowed(objs, maint, nats, 4222)],
      ['predictor -> twin:8080', allowed(objs, pred, twin, 8080)],
      ['maintenance -> twin:8080', allowed(objs, maint, twin, 8080)],
      ['maintenance -> supplier:443', allowed(objs, maint, internet, 443)],
      ['gateway -> nats:4222', allowed(objs, gateway, nats, 4222)],
      ['gateway -> nats mqtt:1883', allowed(objs, gateway, nats, 1883)],
      ['nats -> hub leaf:7422', allowed(objs, nats, internet, 7422)],
      ['ingress -> twin:8080', allowed(objs, traefik(''), twin, 8080)],
      ['ingress -> maintenance:8082', allowed(objs, traefik(''), maint, 8082)],
      ['twin -> dns:53/udp', allowed(objs, twin, dns, 53, 'UDP')],
      // the staff console: staff reach it; it reaches the three services, NATS (events, uplink state) and DNS
      ['ingress -> console:8084', allowed(objs, traefik(''), ui, 8084)],
      ['console -> twin:8080', allowed(objs, ui, twin, 8080)],
      ['console -> predictor:8081', allowed(objs, ui, pred, 8081)],
      ['console -> maintenance:8082', allowed(objs, ui, maint, 8082)],
      ['console -> nats:4222', allowed(objs, ui, nats, 4222)],
      ['console -> nats monitor:8222', allowed(objs, ui, nats, 8222)],
      ['console -> dns:53/udp', allowed(objs, ui, dns, 53, 'UDP')],
    ];
    // and nothing else
    const forbidden: [string, boolean][] = [
      ['stranger -> nats:4222', allowed(objs, stranger, nats, 4222)],
      ['predictor -> maintenance:8082', allowed(objs, pred, maint, 8082)],
      ['twin -> predictor:8081', allowed(objs, twin, pred, 8081)],
      ['twin -> internet:443', allowed(objs, twin, internet, 443)],
      ['predictor -> supplier:443', allowed(objs, pred, internet, 443)],
      ['maintenance -> nats monitor:8222', allowed(objs, maint, nats, 8222)],
      ['internet -> twin:8080', allowed(objs, internet, twin, 8080)],
      ['nats -> twin:8080', allowed(objs, nats, twin, 8080)],
      ['internet -> console:8084', allowed(objs, internet, ui, 8084)],
      ['gateway -> console:8084', allowed(objs, gateway, ui, 8084)],
      ['twin -> console:8084', allowed(objs, twin, ui, 8084)],
      ['nats -> console:8084', allowed(objs, nats, ui, 8084)],
      ['console -> internet:443', allowed(objs, ui, internet, 443)],
      ['console -> hub leaf:7422', allowed(objs, ui, internet, 7422)],
      ['console -> nats mqtt:1883', allowed(objs, ui, nats, 1883)],
      ['console -> twin:8081', allowed(objs, ui, twin, 8081)],
      ['twin -> nats monitor:8222', allowed(objs, twin, nats, 8222)],
      ['predictor -> console:8084', allowed(objs, pred, ui, 8084)],
    ];
    expect({ needed, forbidden }).toEqual({ needed: needed.map(([f]) => [f, true]), forbidden: forbidden.map(([f]) => [f, false]) });
  });

  it('edge-site-allinone: the pod reaches NATS and the supplier, staff reach it, nothing else', () => {
    const objs = rendered.get('edge-site-allinone')!;
    const nats = workloadPod(objs, 'StatefulSet', 'nats');
    const aio = workloadPod(objs, 'Deployment', 'edge-allinone');
    expect([allowed(objs, aio, nats, 4222), allowed(objs, aio, internet, 443), allowed(objs, traefik(''), aio, 8081), allowed(objs, { ip: '10.30.0.9' }, nats, 1883)]).toEqual([true, true, true, true]);
    expect([allowed(objs, aio, internet, 80), allowed(objs, internet, aio, 8080), allowed(objs, gateway, nats, 4222), allowed(objs, nats, aio, 8080)]).toEqual([false, false, false, false]);
  });

  it('edge-site-allinone: the staff console reaches the all-in-one pod, NATS and DNS, and staff reach it', () => {
    const objs = rendered.get('edge-site-allinone')!;
    const [nats, aio, ui] = [['StatefulSet', 'nats'], ['Deployment', 'edge-allinone'], ['Deployment', 'console']].map(([k, n]) => workloadPod(objs, k, n));
    const needed: [string, boolean][] = [
      ['ingress -> console:8084', allowed(objs, traefik(''), ui, 8084)],
      ['console -> twin:8080', allowed(objs, ui, aio, 8080)],
      ['console -> predictor:8081', allowed(objs, ui, aio, 8081)],
      ['console -> maintenance:8082', allowed(objs, ui, aio, 8082)],
      ['console -> nats:4222', allowed(objs, ui, nats, 4222)],
      ['console -> nats monitor:8222', allowed(objs, ui, nats, 8222)],
      ['console -> dns:53/udp', allowed(objs, ui, dns, 53, 'UDP')],
    ];
    const forbidden: [string, boolean][] = [
      ['internet -> console:8084', allowed(objs, internet, ui, 8084)],
      ['all-in-one -> console:8084', allowed(objs, aio, ui, 8084)],
      ['nats -> console:8084', allowed(objs, nats, ui, 8084)],
      ['console -> internet:443', allowed(objs, ui, internet, 443)],
      ['console -> nats mqtt:1883', allowed(objs, ui, nats, 1883)],
      ['all-in-one -> nats monitor:8222', allowed(objs, aio, nats, 8222)],
    ];
    expect({ needed, forbidden }).toEqual({ needed: needed.map(([f]) => [f, true]), forbidden: forbidden.map(([f]) => [f, false]) });
  });

  it('central: sites dial the hub leaf port; the platform reaches the hub and its database', () => {
    const objs = rendered.get('central')!;
    const hub = workloadPod(objs, 'StatefulSet', 'nats-hub');
    const platform = workloadPod(objs, 'Deployment', 'asset-platform');
    expect([allowed(objs, internet, hub, 7422), allowed(objs, platform, hub, 4222), allowed(objs, platform, internet, 5432), allowed(objs, traefik(''), platform, 8083)]).toEqual([true, true, true, true]);
    expect([allowed(objs, internet, hub, 4222), allowed(objs, internet, platform, 8083), allowed(objs, hub, internet, 443), allowed(objs, platform, internet, 443)]).toEqual([false, false, false, false]);
  });
});
