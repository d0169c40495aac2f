import { newApiToken } from '@millwright/http-auth';

// How production starts an app (its image's script and ENV, its Deployment's NODE_OPTIONS) is read
// by @millwright/testing, which the system tests use too.
export { deployedRuntime, type DeployedRuntime } from '@millwright/testing';

/**
 * API token settings as a deployment has them (its Secret): the APIs take bearer tokens and the
 * services call each other with theirs. One admin token serves as both for the run; /health and
 * /metrics, which the benches read, need none.
 */
export function deployedApiTokens(): { API_TOKENS: string; API_CLIENT_TOKEN: string } {
  const { token, entry } = newApiToken('bench-services', 'admin');
  return { API_TOKENS: entry, API_CLIENT_TOKEN: token };
}
