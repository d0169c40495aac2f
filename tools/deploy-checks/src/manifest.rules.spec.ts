import { join } from 'node:path';
import { renderKustomization, type K8sObject } from './kustomize.renderer';
import { checkPoliciesAndBudgets, checkReferences, checkWorkloads } from './manifest.rules';

const good = renderKustomization(join(__dirname, '..', '..', '..', 'k8s', 'overlays', 'edge-site'));
const twinIndex = good.findIndex((o) => o.kind === 'Deployment' && o.metadata.name === 'twin-service');

/** The rendered edge site with the twin service's Deployment changed by `edit`. */
function withTwin(edit: (d: { spec: { replicas?: number; template: { spec: { containers: Record<string, unknown>[]; volumes: unknown[] } } } }) => void): K8sObject[] {
  const copy = structuredClone(good);
  edit(copy[twinIndex] as never);
  return copy;
}
const twin = (objs: K8sObject[]) => (objs[twinIndex] as never as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }).spec.template.spec.containers[0];

describe('manifest rules', () => {
  it.each([
    ['no memory limit', (o: K8sObject[]) => delete (twin(o).resources as { limits: Record<string, string> }).limits.memory, /twin-service: no memory limit/],
    ['a limit too big for a small box', (o: K8sObject[]) => ((twin(o).resources as { limits: Record<string, string> }).limits.memory = '2Gi'), /memory limit 2Gi above 512Mi/],
    ['no readiness probe', (o: K8sObject[]) => delete twin(o).readinessProbe, /no readiness probe/],
    ['a probe off the health endpoint', (o: K8sObject[]) => ((twin(o).livenessProbe as { httpGet: { path: string } }).httpGet.path = '/'), /liveness probe is not GET \/health\/live/],
    ['a writable root', (o: K8sObject[]) => ((twin(o).securityContext as Record<string, unknown>).readOnlyRootFilesystem = false), /readOnlyRootFilesystem is not true/],
    ['privilege escalation', (o: K8sObject[]) => delete (twin(o).securityContext as Record<string, unknown>).allowPrivilegeEscalation, /allowPrivilegeEscalation is not false/],
    ['kept capabilities', (o: K8sObject[]) => ((twin(o).securityContext as { capabilities: { drop: string[] } }).capabilities.drop = ['NET_RAW']), /capabilities are not all dropped/],
    ['a latest image', (o: K8sObject[]) => (twin(o).image = 'millwright/twin-service:latest'), /no pinned tag/],
    ['SQLite off the volume', (o: K8sObject[]) => ((twin(o).env as { name: string; value?: string }[]).find((e) => e.name === 'TWIN_DB_PATH')!.value = '/tmp/twins.db'), /TWIN_DB_PATH=\/tmp\/twins.db is not on a PersistentVolumeClaim/],
  ])('finds %s', (_what, edit, problem) => {
    const objs = withTwin(() => undefined);
    edit(objs);
    expect(checkWorkloads(objs, { maxContainerMemoryMi: 512 }).join('\n')).toMatch(problem);
  });

  it('finds replicas without a disruption budget, and a missing default deny', () => {
    const objs = withTwin((d) => (d.spec.replicas = 2)).filter((o) => o.metadata.name !== 'default-deny');
    expect(checkPoliciesAndBudgets(objs)).toEqual(['no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)', 'Deployment/twin-service: 2 replicas and no PodDisruptionBudget']);
  });

  it('finds a setting the site ConfigMap does not have', () => {
    const objs = withTwin(() => undefined);
    ((twin(objs).env as { valueFrom?: { configMapKeyRef?: { key: string } } }[]).find((e) => e.valueFrom?.configMapKeyRef)!.valueFrom!.configMapKeyRef!.key = 'NOPE');
    expect(checkReferences(objs).problems.join('\n')).toMatch(/reads ConfigMap millwright-site key NOPE/);
  });
});
