import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTimeoutError, httpCall, httpErrorDetail } from './http.client';

let server: Server;
let base: string;
let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('httpCall', () => {
  it('sends method, headers and a UTF-8 body and returns status, headers and text', async () => {
    handler = (req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, length: req.headers['content-length'], body }));
    };
    const r = await httpCall(`${base}/x`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{"a":"é"}', timeoutMs: 2000 });
    expect(r).toMatchObject({ status: 201, ok: true });
    expect(r.headers['retry-after']).toBe('3');
    expect(JSON.parse(r.text)).toEqual({ method: 'POST', auth: 'Bearer t', length: '10', body: '{"a":"é"}' });
  });

  it('resolves non-2xx answers with ok false', async () => {
    handler = (_req, res) => {
      res.statusCode = 404;
      res.end('{"code":"not_found"}');
    };
    const r = await httpCall(`${base}/missing`, { timeoutMs: 2000 });
    expect(r).toMatchObject({ status: 404, ok: false, text: '{"code":"not_found"}' });
  });

  it('times out a server that sends headers and then stalls', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    };
    const t0 = Date.now();
    const err = await httpCall(`${base}/stall`, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTimeoutError);
    expect((err as Error).name).toBe('TimeoutError');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('rejects with the socket error code when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = await httpCall(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(httpErrorDetail(err)).toBe('ECONNREFUSED');
  });

  it('sends a GET again when the server drops a kept-alive connection as the request goes out', async () => {
    const seen = new Set<unknown>();
    let answered = 0;
    handler = (req, res) => {
      // The race a keep-alive pool has with a server's idle timeout: the reused connection dies unanswered.
      if (seen.has(req.socket)) return void req.socket.destroy();
      seen.add(req.socket);
      answered++;
      res.end('ok');
    };
    expect((await httpCall(`${base}/a`, { timeoutMs: 2000 })).text).toBe('ok');
    expect((await httpCall(`${base}/b`, { timeoutMs: 2000 })).text).toBe('ok');
    expect(answered).toBe(2);
  });

  it('does not send a POST twice', async () => {
    const seen = new Set<unknown>();
    let received = 0;
    handler = (req, res) => {
      received++;
      if (seen.has(req.socket)) return void req.socket.destroy();
      seen.add(req.socket);
      res.end('ok');
    };
    await httpCall(`${base}/a`, { method: 'POST', body: '{}', timeoutMs: 2000 });
    const err = await httpCall(`${base}/b`, { method: 'POST', body: '{}', timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(httpErrorDetail(err)).toBe('ECONNRESET');
    expect(received).toBe(2);
  });

  it('refuses schemes other than http and https', async () => {
    await expect(httpCall('ftp://example.com/x', { timeoutMs: 100 })).rejects.toThrow('unsupported URL scheme');
  });
});
