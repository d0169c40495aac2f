import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';

/**
 * Calls between services (the predictor and maintenance asking the twin service, maintenance placing
 * orders at the supplier) go through node:http, not the global fetch. fetch is undici: its first call
 * loads a large JavaScript module and compiles undici's WebAssembly HTTP parser, which stays compiled
 * and leaves V8's compiler zones behind in malloc's heap: 7 MB more RSS for the life of the predictor
 * (which asks for twin history at start-up), more in maintenance. node:http's parser is the native one
 * in the node binary, already used by the service's own HTTP server.
 */

export interface HttpCallOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as is (with its byte length); JSON callers stringify. */
  body?: string;
  /** One deadline for the whole call: connecting, sending, and reading the answer to its end. */
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  /** 2xx */
  ok: boolean;
  headers: IncomingHttpHeaders;
  /** The body, decoded as UTF-8. */
  text: string;
}

/** The call took longer than its timeoutMs. `name` is `TimeoutError`, as fetch's AbortSignal.timeout reports it. */
export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

// Keep-alive, like fetch: a service asks the same few hosts again and again.
const httpAgent = new Agent({ keepAlive: true });
let https: { request: typeof httpRequest; agent: Agent } | undefined;

/**
 * One HTTP(S) request; resolves with any status (the caller decides what a 4xx means), rejects with
 * HttpTimeoutError or the socket's error (its `code`: ECONNREFUSED, ECONNRESET, ...). A GET that
 * fails with ECONNRESET on a reused keep-alive connection (the server closed it as the request went
 * out) is sent once more on a new one.
 */
export async function httpCall(url: string | URL, o: HttpCallOptions): Promise<HttpAnswer> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const method = o.method ?? 'GET';
  let send: (target: URL, options: RequestOptions) => ClientRequest = httpRequest;
  let agent = httpAgent;
  if (target.protocol === 'https:') {
    // Loaded on the first https call only: TLS is not needed by the calls within a site.
    if (!https) {
      const m = await import('node:https');
      https = { request: m.request, agent: new m.Agent({ keepAlive: true }) };
    }
    agent = https.agent;
    send = https.request;
  } else if (target.protocol !== 'http:') {
    throw new Error(`unsupported URL scheme ${target.protocol} in ${target.href}`);
  }
  const headers: Record<string, string | number> = { ...o.headers };
  const body = o.body === undefined ? undefined : Buffer.from(o.body, 'utf8');
  if (body) headers['content-length'] = body.length;
  const deadline = Date.now() + o.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(send, target, { method, headers, agent }, body, Math.max(1, deadline - Date.now()), o.timeoutMs);
    } catch (e) {
      const stale = (e as { staleSocket?: boolean }).staleSocket === true;
      if (!(stale && attempt === 1 && (method === 'GET' || method === 'HEAD') && Date.now() < deadline)) throw e;
    }
  }
}

function once(
  send: (target: URL, options: RequestOptions) => ClientRequest,
  target: URL,
  options: RequestOptions,
  body: Buffer | undefined,
  remainingMs: number,
  timeoutMs: number,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | undefined, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(answer!);
    };
    const req = send(target, options);
    const timer = setTimeout(() => {
      settle(new HttpTimeoutError(timeoutMs));
      req.destroy();
    }, remainingMs);
    req.on('error', (err: Error & { code?: string; staleSocket?: boolean }) => {
      if (req.reusedSocket && err.code === 'ECONNRESET') err.staleSocket = true;
      settle(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => settle(err));
      res.on('close', () => {
        if (!res.complete) settle(Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        settle(undefined, { status, ok: status >= 200 && status < 300, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}

/** The error's code (ECONNREFUSED, ...) or its message: what a log line about a failed call says. */
export function httpErrorDetail(e: unknown): string {
  const err = e as Error & { code?: string };
  return err.code ?? err.message ?? String(e);
}
