import { duration, int, str, type ConfigOf } from '@millwright/config';
import { loadApiTokens } from './api-tokens';
import type { ApiAuthOptions } from './api-auth.guard';

/** The settings of a service whose HTTP API takes bearer tokens; spread into the app's settings. */
export const apiAuthSettings = {
  API_TOKENS: str('Accepted bearer tokens as `name:role:sha256-hex` entries separated by newlines, commas or semicolons; roles viewer (read), technician (change), admin; entries from `npm run provision -- api-token`. Empty together with API_TOKENS_FILE: the API is open (development only)', { default: '' }),
  API_TOKENS_FILE: str('File with more token entries, one per line (a mounted Secret)', { default: '' }),
  API_AUTH_MAX_FAILURES: int('Wrong tokens one client address may present within API_AUTH_FAILURE_WINDOW before it gets 429 too_many_attempts', { default: 10, min: 1 }),
  API_AUTH_FAILURE_WINDOW: duration('Window of API_AUTH_MAX_FAILURES; a locked-out client waits until its oldest failure leaves it', { default: 60_000 }),
};

/** The bearer token a service sends to the other Millwright APIs it calls. */
export const apiClientSettings = {
  API_CLIENT_TOKEN: str('Bearer token this service sends to the other Millwright APIs it calls (from a Secret; empty: none)', { default: '' }),
};

export function apiAuthOptions(c: ConfigOf<typeof apiAuthSettings>): ApiAuthOptions {
  return { tokens: loadApiTokens(c.API_TOKENS, c.API_TOKENS_FILE), maxFailures: c.API_AUTH_MAX_FAILURES, failureWindowMs: c.API_AUTH_FAILURE_WINDOW };
}

/** Request headers carrying the client token, when there is one. */
export function bearerHeaders(token: string): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
