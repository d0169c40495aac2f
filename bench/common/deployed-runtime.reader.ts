import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@millwright/testing';
import { newApiToken } from '@millwright/http-auth';

/** How production starts one app: what its image runs and the runtime settings around it. */
export interface DeployedRuntime {
  /** The script the image's CMD starts, relative to the workspace (dist/apps/...). */
  entry: string;
  /** ENV of the image's runtime stage (NODE_ENV, GLIBC_TUNABLES, default paths), then NODE_OPTIONS of the Deployment. */
  env: Record<string, string>;
}

/**
 * Reads apps/<app>/Dockerfile (generated, so its shape is fixed) and the app's k8s Deployment, so
 * that the footprint bench starts each service the way the cluster does, with no settings of its own:
 * a heap cap or allocator setting changed in the manifests or the template changes the measurement too.
 */
export function deployedRuntime(app: string, deployment: string): DeployedRuntime {
  const dockerfile = readFileSync(join(repoRoot(), 'apps', app, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const m of runtime.matchAll(/^ENV ([A-Z0-9_]+)=(.*)$/gm)) env[m[1]] = m[2];
  const cmd = /^CMD (\[.*\])$/m.exec(runtime);
  if (!cmd) throw new Error(`apps/${app}/Dockerfile has no CMD`);
  const argv = JSON.parse(cmd[1]) as string[];
  const manifest = readFileSync(join(repoRoot(), deployment), 'utf8');
  const nodeOptions = /- name: NODE_OPTIONS\n\s+value: (.+)$/m.exec(manifest);
  if (!nodeOptions) throw new Error(`${deployment} sets no NODE_OPTIONS`);
  env.NODE_OPTIONS = nodeOptions[1].trim();
  return { entry: argv[argv.length - 1], env };
}

/**
 * API token settings as a deployment has them (its Secret): the APIs take bearer tokens and the
 * services call each other with theirs. One admin token serves as both for the run; /health and
 * /metrics, which the benches read, need none.
 */
export function deployedApiTokens(): { API_TOKENS: string; API_CLIENT_TOKEN: string } {
  const { token, entry } = newApiToken('bench-services', 'admin');
  return { API_TOKENS: entry, API_CLIENT_TOKEN: token };
}
