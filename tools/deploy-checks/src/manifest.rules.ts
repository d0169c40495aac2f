import { dirname } from 'node:path';
import type { K8sObject } from './kustomize.renderer';

/**
 * The rules every Millwright workload follows (issue 7), checked on rendered objects. Each returns
 * problems as `Kind/name[/container]: what`, empty when all is well.
 */
export interface RuleOptions {
  /** Largest memory limit of one container: what a small box can give it. */
  maxContainerMemoryMi: number;
}

type Probe = { httpGet?: { path: string; port: number | string } };
type Container = {
  name: string;
  image?: string;
  env?: { name: string; value?: string; valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; privileged?: boolean; capabilities?: { drop?: string[]; add?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
};
type PodSpec = {
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string }; emptyDir?: unknown; secret?: { secretName: string }; projected?: { sources: { configMap?: { name: string }; secret?: { name: string } }[] } }[];
};
type Workload = K8sObject & { spec: { replicas?: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec }; volumeClaimTemplates?: { metadata: { name: string } }[] } };

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
export const workloads = (objects: K8sObject[]): Workload[] => objects.filter((o) => WORKLOAD_KINDS.has(o.kind)) as Workload[];

/** CPU in millicores, memory in MiB. */
export function quantity(q: string | number, kind: 'cpu' | 'memory'): number {
  const s = String(q);
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|K|M|G)?$/.exec(s);
  if (!m) throw new Error(`bad quantity ${s}`);
  const n = Number(m[1]);
  if (kind === 'cpu') return m[2] === 'm' ? n : n * 1000;
  const mi: Record<string, number> = { '': 1 / 1048576, Ki: 1 / 1024, Mi: 1, Gi: 1024, K: 1000 / 1048576, M: 1e6 / 1048576, G: 1e9 / 1048576 };
  return n * mi[m[2] ?? ''];
}

function containerRules(w: Workload, c: Container, pod: PodSpec, o: RuleOptions, isInit: boolean): string[] {
  const id = `${w.kind}/${w.metadata.name}/${c.name}`;
  const p: string[] = [];
  const r = c.resources ?? {};
  for (const k of ['cpu', 'memory'] as const) {
    if (!r.requests?.[k]) p.push(`${id}: no ${k} request`);
    if (!r.limits?.[k]) p.push(`${id}: no ${k} limit`);
    if (r.requests?.[k] && r.limits?.[k] && quantity(r.requests[k], k) > quantity(r.limits[k], k)) p.push(`${id}: ${k} request above its limit`);
  }
  if (r.limits?.memory && quantity(r.limits.memory, 'memory') > o.maxContainerMemoryMi) p.push(`${id}: memory limit ${r.limits.memory} above ${o.maxContainerMemoryMi}Mi`);
  if (!isInit) {
    if (!c.livenessProbe) p.push(`${id}: no liveness probe`);
    if (!c.readinessProbe) p.push(`${id}: no readiness probe`);
    const portNames = new Set((c.ports ?? []).map((x) => x.name));
    const portNumbers = new Set((c.ports ?? []).map((x) => x.containerPort));
    for (const [what, probe] of [['liveness', c.livenessProbe], ['readiness', c.readinessProbe], ['startup', c.startupProbe]] as const) {
      const port = probe?.httpGet?.port;
      if (port !== undefined && !(typeof port === 'string' ? portNames.has(port) : portNumbers.has(port))) p.push(`${id}: ${what} probe on port ${port}, which the container does not declare`);
    }
    // Millwright's own services answer /health/live (event loop) and /health/ready (dependencies).
    if (c.image?.startsWith('millwright/')) {
      if (c.livenessProbe?.httpGet?.path !== '/health/live') p.push(`${id}: liveness probe is not GET /health/live`);
      if (c.readinessProbe?.httpGet?.path !== '/health/ready') p.push(`${id}: readiness probe is not GET /health/ready`);
    }
  }
  const sc = c.securityContext ?? {};
  const nonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  const uid = sc.runAsUser ?? pod.securityContext?.runAsUser;
  if (nonRoot !== true) p.push(`${id}: runAsNonRoot is not true`);
  if (uid === 0) p.push(`${id}: runs as uid 0`);
  if (sc.readOnlyRootFilesystem !== true) p.push(`${id}: readOnlyRootFilesystem is not true`);
  if (sc.allowPrivilegeEscalation !== false) p.push(`${id}: allowPrivilegeEscalation is not false`);
  if (sc.privileged) p.push(`${id}: privileged`);
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) p.push(`${id}: capabilities are not all dropped`);
  if (sc.capabilities?.add?.length) p.push(`${id}: adds capabilities ${sc.capabilities.add.join(', ')}`);
  if (!c.image || !/:[^/]+$/.test(c.image) || c.image.endsWith(':latest')) p.push(`${id}: image ${c.image} has no pinned tag`);
  // A service with an SQLite file keeps it on a PersistentVolumeClaim (a read-only root has no room anyway).
  for (const e of c.env ?? []) {
    if (!/_DB_PATH$/.test(e.name) || !e.value) continue;
    const dir = dirname(e.value);
    const mount = (c.volumeMounts ?? []).find((m) => dir === m.mountPath || dir.startsWith(`${m.mountPath}/`));
    const vol = pod.volumes?.find((v) => v.name === mount?.name);
    const fromTemplate = w.spec.volumeClaimTemplates?.some((t) => t.metadata.name === mount?.name);
    if (!mount || (!vol?.persistentVolumeClaim && !fromTemplate)) p.push(`${id}: ${e.name}=${e.value} is not on a PersistentVolumeClaim`);
  }
  return p;
}

/** Every container of every workload: resources, probes, security context, pinned images, SQLite on a PVC. */
export function checkWorkloads(objects: K8sObject[], o: RuleOptions): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    if (pod.automountServiceAccountToken !== false) problems.push(`${w.kind}/${w.metadata.name}: mounts a service account token it does not use`);
    for (const c of pod.containers) problems.push(...containerRules(w, c, pod, o, false));
    for (const c of pod.initContainers ?? []) problems.push(...containerRules(w, c, pod, o, true));
  }
  return problems;
}

/** What the objects refer to: ConfigMap keys must be in the render; Secrets are listed (they come from outside). */
export function checkReferences(objects: K8sObject[]): { problems: string[]; secrets: string[] } {
  const problems: string[] = [];
  const secrets = new Set<string>();
  const byKey = new Map(objects.map((x) => [`${x.kind}/${x.metadata.name}`, x]));
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm && !((byKey.get(`ConfigMap/${cm.name}`)?.data as Record<string, string> | undefined) ?? {})[cm.key]) problems.push(`${w.kind}/${w.metadata.name}/${c.name}: ${e.name} reads ConfigMap ${cm.name} key ${cm.key}, which the render does not have`);
        const s = e.valueFrom?.secretKeyRef;
        if (s) secrets.add(`${s.name}.${s.key}`);
      }
    }
    for (const v of pod.volumes ?? []) {
      for (const s of [v.secret?.secretName, ...(v.projected?.sources ?? []).map((x) => x.secret?.name)]) if (s) secrets.add(`${s} (files)`);
      for (const cm of (v.projected?.sources ?? []).map((x) => x.configMap?.name)) if (cm && !byKey.has(`ConfigMap/${cm}`)) problems.push(`${w.kind}/${w.metadata.name}: volume ${v.name} projects ConfigMap ${cm}, which the render does not have`);
      if (v.configMap && !byKey.has(`ConfigMap/${v.configMap.name}`)) problems.push(`${w.kind}/${w.metadata.name}: volume ${v.name} mounts ConfigMap ${v.configMap.name}, which the render does not have`);
      if (v.persistentVolumeClaim && !byKey.has(`PersistentVolumeClaim/${v.persistentVolumeClaim.claimName}`)) problems.push(`${w.kind}/${w.metadata.name}: claims ${v.persistentVolumeClaim.claimName}, which the render does not have`);
    }
  }
  // Every Service reaches pods, on ports they declare.
  for (const s of objects.filter((x) => x.kind === 'Service')) {
    const spec = s.spec as { selector?: Record<string, string>; ports: { name?: string; targetPort?: string | number; port: number }[] };
    const pods = workloads(objects).filter((w) => Object.entries(spec.selector ?? {}).every(([k, v]) => w.spec.template.metadata.labels[k] === v));
    if (!pods.length) problems.push(`Service/${s.metadata.name}: selects no workload`);
    for (const port of spec.ports) {
      const t = port.targetPort ?? port.port;
      const served = pods.some((w) => w.spec.template.spec.containers.some((c) => (c.ports ?? []).some((cp) => (typeof t === 'string' ? cp.name === t : cp.containerPort === t))));
      if (pods.length && !served) problems.push(`Service/${s.metadata.name}: port ${port.port} targets ${t}, which its pods do not declare`);
    }
  }
  return { problems, secrets: [...secrets].sort() };
}

/** Network policies deny by default; disruption budgets cover replicated workloads and never pin single ones. */
export function checkPoliciesAndBudgets(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const policies = objects.filter((x) => x.kind === 'NetworkPolicy');
  const defaultDeny = policies.some((p) => {
    const s = p.spec as { podSelector: { matchLabels?: object }; policyTypes?: string[]; ingress?: unknown[]; egress?: unknown[] };
    return Object.keys(s.podSelector.matchLabels ?? {}).length === 0 && s.policyTypes?.includes('Ingress') && s.policyTypes?.includes('Egress') && !s.ingress?.length && !s.egress?.length;
  });
  if (!defaultDeny) problems.push('no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)');
  const pdbs = objects.filter((x) => x.kind === 'PodDisruptionBudget');
  for (const w of workloads(objects)) {
    const labels = w.spec.template.metadata.labels;
    const covering = pdbs.filter((b) => Object.entries((b.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
    const replicas = w.spec.replicas ?? 1;
    if (replicas > 1 && !covering.length) problems.push(`${w.kind}/${w.metadata.name}: ${replicas} replicas and no PodDisruptionBudget`);
    for (const b of covering) {
      const min = (b.spec as { minAvailable?: number | string }).minAvailable;
      if (typeof min === 'number' && min >= replicas) problems.push(`PodDisruptionBudget/${b.metadata.name}: minAvailable ${min} of ${replicas} replicas blocks every drain`);
    }
  }
  return problems;
}
