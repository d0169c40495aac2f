import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Renders a kustomization the way `kubectl kustomize` does, for the subset of kustomize that k8s/
 * uses, so that the tests need nothing from outside npm: resources (files and folders), namespace,
 * labels (metadata only), configMapGenerator (files, literals, envs; create and merge) with
 * disableNameSuffixHash, images, and JSON 6902 patches with a kind/name target. Anything else in a
 * kustomization is refused by name rather than silently ignored, so the renderer cannot drift from
 * what kubectl would build without a test failing. (The tests compare both where kubectl exists.)
 */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  configMapGenerator?: { name: string; behavior?: 'create' | 'merge' | 'replace'; files?: string[]; literals?: string[]; envs?: string[] }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path?: string; patch?: string; target?: { kind?: string; name?: string } }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'generatorOptions', 'configMapGenerator', 'images', 'patches']);
// Kinds whose objects have no namespace.
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass']);

export class KustomizeError extends Error {}

function loadYamlDocs(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => {
      if (d.errors.length) throw new KustomizeError(`${path}: ${d.errors[0].message}`);
      return d.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

/** KEY=VALUE pairs of a literal or an env file line; as kustomize, the value is taken verbatim. */
function splitPair(s: string, where: string): [string, string] {
  const i = s.indexOf('=');
  if (i <= 0) throw new KustomizeError(`${where}: expected KEY=VALUE, got ${JSON.stringify(s)}`);
  return [s.slice(0, i), s.slice(i + 1)];
}

function insideRoot(root: string, file: string): string {
  const p = resolve(root, file);
  // kustomize's default load restrictor: generators may read files in or below the kustomization only.
  if (relative(root, p).startsWith('..')) throw new KustomizeError(`${file} is outside the kustomization root ${root}`);
  return p;
}

function generateConfigMap(root: string, g: NonNullable<Kustomization['configMapGenerator']>[number]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const f of g.files ?? []) {
    const [k, path] = f.includes('=') ? splitPair(f, root) : [basename(f), f];
    data[k] = readFileSync(insideRoot(root, path), 'utf8');
  }
  for (const l of g.literals ?? []) {
    const [k, v] = splitPair(l, `${root} literal`);
    data[k] = v.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  for (const e of g.envs ?? []) {
    for (const line of readFileSync(insideRoot(root, e), 'utf8').split('\n')) {
      const t = line.trim();
      if (!t || t.startsWith('#')) continue;
      const [k, v] = splitPair(t, e);
      data[k] = v;
    }
  }
  return data;
}

/** RFC 6902 path segments. */
function pointer(path: string): string[] {
  if (!path.startsWith('/')) throw new KustomizeError(`bad JSON pointer ${path}`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Op = { op: string; path: string; value?: unknown };

function applyJson6902(target: K8sObject, ops: Op[], where: string): void {
  for (const o of ops) {
    const segs = pointer(o.path);
    const last = segs.pop()!;
    let parent: unknown = target;
    for (const s of segs) {
      parent = Array.isArray(parent) ? parent[Number(s)] : (parent as Record<string, unknown> | undefined)?.[s];
      if (parent === undefined) throw new KustomizeError(`${where}: ${o.op} ${o.path}: ${s} does not exist`);
    }
    const value = structuredClone(o.value);
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new KustomizeError(`${where}: ${o.op} ${o.path}: bad index`);
      if (o.op === 'add') parent.splice(i, 0, value);
      else if (o.op === 'replace' && i < parent.length) parent[i] = value;
      else if (o.op === 'remove' && i < parent.length) parent.splice(i, 1);
      else throw new KustomizeError(`${where}: ${o.op} ${o.path} not applicable`);
    } else if (typeof parent === 'object' && parent !== null) {
      const obj = parent as Record<string, unknown>;
      if (o.op === 'add') obj[last] = value;
      else if ((o.op === 'replace' || o.op === 'remove') && last in obj) {
        if (o.op === 'replace') obj[last] = value;
        else delete obj[last];
      } else throw new KustomizeError(`${where}: ${o.op} ${o.path}: ${last} does not exist`);
    } else {
      throw new KustomizeError(`${where}: ${o.op} ${o.path}: parent is not an object`);
    }
  }
}

function podSpecs(o: K8sObject): Record<string, unknown>[] {
  const spec = o.spec as Record<string, unknown> | undefined;
  const tpl = (spec?.template as { spec?: Record<string, unknown> } | undefined)?.spec;
  if (tpl) return [tpl];
  if (o.kind === 'Pod' && spec) return [spec];
  return [];
}

function setImages(o: K8sObject, images: NonNullable<Kustomization['images']>): void {
  for (const pod of podSpecs(o)) {
    for (const list of ['containers', 'initContainers']) {
      for (const c of (pod[list] as { image?: string }[] | undefined) ?? []) {
        if (!c.image) continue;
        const m = /^(.*?)(?::([^/:@]+))?(@.*)?$/.exec(c.image)!;
        const img = images.find((i) => i.name === m[1]);
        if (!img) continue;
        c.image = `${img.newName ?? m[1]}${img.newTag !== undefined ? `:${img.newTag}` : m[2] ? `:${m[2]}` : ''}${m[3] ?? ''}`;
      }
    }
  }
}

/** Renders the kustomization in `dir` (a folder holding kustomization.yaml) to its objects. */
export function renderKustomization(dir: string): K8sObject[] {
  const root = resolve(dir);
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(root, f)).find((f) => existsSync(f));
  if (!file) throw new KustomizeError(`no kustomization in ${root}`);
  const k = loadYamlDocs(file)[0] as Kustomization;
  const unsupported = Object.keys(k).filter((f) => !SUPPORTED.has(f));
  if (unsupported.length) throw new KustomizeError(`${file}: not supported by this renderer: ${unsupported.join(', ')}`);

  const objects: K8sObject[] = [];
  const add = (o: K8sObject, where: string) => {
    if (objects.some((x) => key(x) === key(o))) throw new KustomizeError(`${where}: ${key(o)} is defined twice`);
    objects.push(o);
  };
  for (const r of k.resources ?? []) {
    const p = resolve(root, r);
    if (statSync(p).isDirectory()) for (const o of renderKustomization(p)) add(o, r);
    else for (const o of loadYamlDocs(p) as K8sObject[]) add(o, r);
  }

  const generated = (k.configMapGenerator ?? []).length > 0;
  if (generated && !k.generatorOptions?.disableNameSuffixHash) throw new KustomizeError(`${file}: generators need generatorOptions.disableNameSuffixHash (name hashes are not supported)`);
  for (const g of k.configMapGenerator ?? []) {
    const data = generateConfigMap(root, g);
    const existing = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === g.name);
    const behavior = g.behavior ?? 'create';
    if (behavior === 'create') {
      if (existing) throw new KustomizeError(`${file}: ConfigMap ${g.name} exists already (use behavior: merge)`);
      objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data });
    } else {
      if (!existing) throw new KustomizeError(`${file}: ConfigMap ${g.name} to ${behavior} does not exist`);
      existing.data = behavior === 'merge' ? { ...(existing.data as Record<string, string>), ...data } : data;
    }
  }

  for (const [i, p] of (k.patches ?? []).entries()) {
    const where = `${file} patches[${i}]`;
    const body = p.patch ?? (p.path ? readFileSync(insideRoot(root, p.path), 'utf8') : undefined);
    if (!body || !p.target) throw new KustomizeError(`${where}: only JSON 6902 patches with a target are supported`);
    const ops = loadYamlDocs0(body, where);
    const targets = objects.filter((o) => (!p.target!.kind || o.kind === p.target!.kind) && (!p.target!.name || o.metadata.name === p.target!.name));
    if (!targets.length) throw new KustomizeError(`${where}: no object matches ${JSON.stringify(p.target)}`);
    for (const t of targets) applyJson6902(t, ops, where);
  }

  for (const o of objects) {
    if (k.namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    for (const l of k.labels ?? []) {
      if (l.includeSelectors || l.includeTemplates) throw new KustomizeError(`${file}: labels with includeSelectors or includeTemplates are not supported`);
      o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
    }
    if (k.images) setImages(o, k.images);
  }
  return objects;
}

function loadYamlDocs0(text: string, where: string): Op[] {
  const docs = parseAllDocuments(text);
  const ops = docs[0]?.toJS() as unknown;
  if (!Array.isArray(ops) || docs[0].errors.length) throw new KustomizeError(`${where}: a JSON 6902 patch is a list of operations`);
  return ops as Op[];
}
