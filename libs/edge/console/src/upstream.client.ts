import { HttpException } from '@nestjs/common';
import { ConsoleErrorCode } from '@millwright/console-contracts';
import type { ApiErrorCode } from '@millwright/contracts';
import { bearerHeaders } from '@millwright/http-auth';
import { apiError } from '@millwright/observability';

/**
 * Calls one of the edge services. Their 4xx answers (already `{code, message}`) go to the browser
 * unchanged; a service that is down or answers 5xx becomes 502 `upstream_unavailable`, naming it.
 */
export class UpstreamClient {
  constructor(
    readonly name: string,
    readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly token = '',
  ) {}

  async json<T>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...bearerHeaders(this.token), ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw apiError(502, ConsoleErrorCode.UpstreamUnavailable as ApiErrorCode, `${this.name} is not answering: ${(e as Error).message}`, { upstream: this.name });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = { code: 'internal_error', message: text.slice(0, 200) };
    }
    if (res.status >= 500) throw apiError(502, ConsoleErrorCode.UpstreamUnavailable as ApiErrorCode, `${this.name} answered ${res.status}`, { upstream: this.name, body });
    // The service refusing the console's own token is a misconfiguration, not the user's sign-in.
    if (res.status === 401 || res.status === 429) throw apiError(502, ConsoleErrorCode.UpstreamUnavailable as ApiErrorCode, `${this.name} refused the console's service token (${res.status}): check API_CLIENT_TOKEN`, { upstream: this.name, body });
    if (!res.ok) throw new HttpException(body as object, res.status);
    return body as T;
  }
}

export const TWIN_UPSTREAM = Symbol('TWIN_UPSTREAM');
export const MAINTENANCE_UPSTREAM = Symbol('MAINTENANCE_UPSTREAM');
export const PREDICTOR_UPSTREAM = Symbol('PREDICTOR_UPSTREAM');
export const CENTRAL_UPSTREAM = Symbol('CENTRAL_UPSTREAM');
