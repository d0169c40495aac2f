import { newApiToken } from '@millwright/http-auth';

/**
 * API token settings as a deployment has them (its Secret): the APIs take bearer tokens and the
 * services call each other with theirs. One admin token serves as both for the run; /health and
 * /metrics, which the benches read, need none.
 */
export function deployedApiTokens(): { API_TOKENS: string; API_CLIENT_TOKEN: string } {
  const { token, entry } = newApiToken('bench-services', 'admin');
  return { API_TOKENS: entry, API_CLIENT_TOKEN: token };
}
