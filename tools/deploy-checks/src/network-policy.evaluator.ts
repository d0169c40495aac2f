import type { K8sObject } from './kustomize.renderer';

/**
 * Whether NetworkPolicies let one endpoint reach another, by the Kubernetes rules: a pod selected by
 * no policy of a direction is open in that direction; a selected pod admits only what some rule of
 * a selecting policy admits; a connection needs both the source's egress and the target's ingress.
 * matchLabels selectors and IPv4 ipBlocks only (what k8s/ uses; anything else throws).
 */
export interface Endpoint {
  /** A pod: its namespace, the namespace's labels, its labels and named container ports. */
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  labels?: Record<string, string>;
  ports?: Record<string, number>;
  /** Or something outside the cluster. */
  ip?: string;
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: unknown };
type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } };
type PortRule = { protocol?: string; port?: number | string; endPort?: number };
type Rule = { from?: Peer[]; to?: Peer[]; ports?: PortRule[] };
type PolicySpec = { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };

function matches(sel: Selector | undefined, labels: Record<string, string> = {}): boolean {
  if (!sel) return true;
  if (sel.matchExpressions) throw new Error('matchExpressions are not supported by the evaluator');
  return Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

const ipv4 = (ip: string) => ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

function peerMatches(peer: Peer, policyNs: string, other: Endpoint): boolean {
  if (peer.ipBlock) return other.ip !== undefined && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip!, c));
  if (other.ip !== undefined) return false;
  const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, other.namespaceLabels) : other.namespace === policyNs;
  return nsOk && matches(peer.podSelector, other.labels);
}

function portMatches(rules: PortRule[] | undefined, port: number, protocol: string, target: Endpoint): boolean {
  if (!rules?.length) return true;
  return rules.some((r) => {
    if ((r.protocol ?? 'TCP') !== protocol) return false;
    if (r.port === undefined) return true;
    const p = typeof r.port === 'string' ? target.ports?.[r.port] : r.port;
    return p !== undefined && port >= p && port <= (r.endPort ?? p);
  });
}

function direction(policies: K8sObject[], pod: Endpoint, type: 'Ingress' | 'Egress', other: Endpoint, port: number, protocol: string, target: Endpoint): boolean {
  if (pod.ip !== undefined) return true; // outside the cluster: not ours to police
  const selecting = policies.filter((p) => {
    const spec = p.spec as PolicySpec;
    const types = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    return p.metadata.namespace === pod.namespace && types.includes(type) && matches(spec.podSelector, pod.labels);
  });
  if (!selecting.length) return true;
  return selecting.some((p) => {
    const spec = p.spec as PolicySpec;
    const rules = (type === 'Ingress' ? spec.ingress : spec.egress) ?? [];
    return rules.some((r) => {
      const peers = type === 'Ingress' ? r.from : r.to;
      return (!peers?.length || peers.some((peer) => peerMatches(peer, pod.namespace!, other))) && portMatches(r.ports, port, protocol, target);
    });
  });
}

/** Whether `from` may open a connection to `to` on `port`. */
export function connectionAllowed(objects: K8sObject[], from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  return direction(policies, from, 'Egress', to, port, protocol, to) && direction(policies, to, 'Ingress', from, port, protocol, to);
}

/** The pod of a workload as an Endpoint: its template labels and named container ports. */
export function workloadPod(objects: K8sObject[], kind: string, name: string, namespaceLabels: Record<string, string> = {}): Endpoint {
  const w = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!w) throw new Error(`${kind}/${name} is not in the render`);
  const tpl = (w.spec as { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] } } }).template;
  const ports: Record<string, number> = {};
  for (const c of tpl.spec.containers) for (const p of c.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
  return { namespace: w.metadata.namespace, namespaceLabels: { 'kubernetes.io/metadata.name': w.metadata.namespace ?? '', ...namespaceLabels }, labels: tpl.metadata.labels, ports };
}
