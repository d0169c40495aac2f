import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root';

/** How production starts one app: what its image runs and the runtime settings around it. */
export interface DeployedRuntime {
  /** The script the image's CMD starts, relative to the workspace (dist/apps/...). */
  entry: string;
  /** ENV of the image's runtime stage (NODE_ENV, GLIBC_TUNABLES, default paths), then NODE_OPTIONS of the Deployment. */
  env: Record<string, string>;
}

/** Each app's k8s Deployment under k8s/base, where it has one. */
const APP_DEPLOYMENTS: Readonly<Record<string, string>> = {
  'twin-service': 'k8s/base/edge/services/twin-service.deployment.yaml',
  predictor: 'k8s/base/edge/services/predictor.deployment.yaml',
  maintenance: 'k8s/base/edge/services/maintenance.deployment.yaml',
  'edge-allinone': 'k8s/base/edge/allinone/edge-allinone.deployment.yaml',
  console: 'k8s/base/edge/console/console.deployment.yaml',
  'asset-platform': 'k8s/base/central/asset-platform.deployment.yaml',
};

/**
 * The NODE_OPTIONS an app's Deployment sets (heap caps, young generation, --jitless), or undefined
 * for an app without a Deployment. Tests and benchmarks start the services with them, so that what
 * they run is what the cluster runs: maintenance without a JIT, the twin service within its heap.
 */
export function deployedNodeOptions(app: string): string | undefined {
  const deployment = APP_DEPLOYMENTS[app];
  if (!deployment) return undefined;
  const manifest = readFileSync(join(repoRoot(), deployment), 'utf8');
  const nodeOptions = /- name: NODE_OPTIONS\n\s+value: (.+)$/m.exec(manifest);
  if (!nodeOptions) throw new Error(`${deployment} sets no NODE_OPTIONS`);
  return nodeOptions[1].trim();
}

/**
 * Reads apps/<app>/Dockerfile (generated, so its shape is fixed) and the app's k8s Deployment, so
 * that a benchmark starts each service the way the cluster does, with no settings of its own: a heap
 * cap or allocator setting changed in the manifests or the template changes the measurement too.
 */
export function deployedRuntime(app: string): DeployedRuntime {
  const dockerfile = readFileSync(join(repoRoot(), 'apps', app, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const m of runtime.matchAll(/^ENV ([A-Z0-9_]+)=(.*)$/gm)) env[m[1]] = m[2];
  const cmd = /^CMD (\[.*\])$/m.exec(runtime);
  if (!cmd) throw new Error(`apps/${app}/Dockerfile has no CMD`);
  const argv = JSON.parse(cmd[1]) as string[];
  const nodeOptions = deployedNodeOptions(app);
  if (nodeOptions === undefined) throw new Error(`${app} has no Deployment under k8s/base`);
  env.NODE_OPTIONS = nodeOptions;
  return { entry: argv[argv.length - 1], env };
}
