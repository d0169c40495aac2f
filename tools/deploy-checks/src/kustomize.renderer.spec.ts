import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { makeTempDir, type TempDir } from '@millwright/testing';
import { KustomizeError, renderKustomization, type K8sObject } from './kustomize.renderer';

const root = join(__dirname, '..', '..', '..');

function tree(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers:
        - name: app
          image: millwright/app:1.0
          env: [{name: A, value: "1"}]
`;

describe('kustomize renderer', () => {
  let dir: TempDir;
  beforeEach(() => (dir = makeTempDir('mw-kust-')));
  afterEach(() => dir.remove());

  it('builds an overlay over a base: namespace, labels, merged generator, images, JSON 6902 patches', () => {
    tree(dir.path, {
      'base/kustomization.yaml': 'resources: [app.yaml]\ngeneratorOptions: {disableNameSuffixHash: true}\nconfigMapGenerator:\n  - name: site\n    literals: [SITE=x, MODE=full]\n    files: [a.conf]\n',
      'base/app.yaml': deployment,
      'base/a.conf': 'listen: $PORT\n',
      'overlay/kustomization.yaml':
        'namespace: ns1\nresources: [../base]\nlabels:\n  - pairs: {site: s1}\ngeneratorOptions: {disableNameSuffixHash: true}\nconfigMapGenerator:\n  - name: site\n    behavior: merge\n    envs: [site.env]\nimages:\n  - {name: millwright/app, newTag: "2.0"}\npatches:\n  - target: {kind: Deployment, name: app}\n    patch: |-\n      - op: add\n        path: /spec/template/spec/containers/0/env/-\n        value: {name: B, value: "2"}\n      - op: replace\n        path: /spec/template/spec/containers/0/env/0/value\n        value: "9"\n',
      'overlay/site.env': '# the site\nSITE=plant-9\n',
    });
    const out = renderKustomization(join(dir.path, 'overlay'));
    const cm = out.find((o) => o.kind === 'ConfigMap')!;
    expect(cm).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site', namespace: 'ns1', labels: { site: 's1' } }, data: { SITE: 'plant-9', MODE: 'full', 'a.conf': 'listen: $PORT\n' } });
    const d = out.find((o) => o.kind === 'Deployment') as K8sObject & { spec: { template: { metadata: { labels: object }; spec: { containers: { image: string; env: object[] }[] } } } };
    expect(d.metadata).toEqual({ name: 'app', namespace: 'ns1', labels: { site: 's1' } });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'a' });
    expect(d.spec.template.spec.containers[0].image).toBe('millwright/app:2.0');
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '9' }, { name: 'B', value: '2' }]);
  });

  it.each([
    ['a field it does not implement', { 'k/kustomization.yaml': 'resources: [a.yaml]\nreplicas: [{name: app, count: 2}]\n', 'k/a.yaml': deployment }, /not supported by this renderer: replicas/],
    ['generated names with hashes', { 'k/kustomization.yaml': 'configMapGenerator: [{name: c, literals: [A=1]}]\n' }, /disableNameSuffixHash/],
    ['a file outside the kustomization', { 'k/kustomization.yaml': 'generatorOptions: {disableNameSuffixHash: true}\nconfigMapGenerator: [{name: c, files: [../x.conf]}]\n', 'x.conf': 'x' }, /outside the kustomization root/],
    ['a patch that matches nothing', { 'k/kustomization.yaml': 'resources: [a.yaml]\npatches: [{target: {kind: Deployment, name: nope}, patch: "[]"}]\n', 'k/a.yaml': deployment }, /no object matches/],
    ['a patch path that does not exist', { 'k/kustomization.yaml': 'resources: [a.yaml]\npatches: [{target: {name: app}, patch: "[{op: replace, path: /spec/nope/x, value: 1}]"}]\n', 'k/a.yaml': deployment }, /nope does not exist/],
    ['an object defined twice', { 'k/kustomization.yaml': 'resources: [a.yaml, b.yaml]\n', 'k/a.yaml': deployment, 'k/b.yaml': deployment }, /defined twice/],
  ])('refuses %s', (_what, files, problem) => {
    tree(dir.path, files);
    expect(() => renderKustomization(join(dir.path, 'k'))).toThrow(KustomizeError);
    expect(() => renderKustomization(join(dir.path, 'k'))).toThrow(problem);
  });
});

// A development cross-check: CI machines have no kubectl (it is not in Debian), this one may.
const kubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
(kubectl ? describe : describe.skip)('kustomize renderer against kubectl kustomize (where kubectl is installed)', () => {
  it.each(['overlays/edge-site', 'overlays/edge-site-allinone', 'overlays/central'])('%s renders the same objects', (overlay) => {
    const dir = join(root, 'k8s', overlay);
    const theirs = parseAllDocuments(execFileSync('kubectl', ['kustomize', dir]).toString()).map((d) => d.toJS() as K8sObject);
    const byId = (os: K8sObject[]) => Object.fromEntries(os.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    expect(byId(renderKustomization(dir))).toEqual(byId(theirs));
  });
});
