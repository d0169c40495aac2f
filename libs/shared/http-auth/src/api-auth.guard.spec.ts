import 'reflect-metadata';
import { Controller, Get, Module, Post, Put, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiErrorFilter } from '@millwright/observability';
import { ApiAuthModule, RequireApiRole } from './api-auth.guard';
import { newApiToken, parseApiTokens } from './api-tokens';

@Controller()
class ProbeController {
  @Get('api/v1/things') list() {
    return { ok: true };
  }
  @Post('api/v1/things') change() {
    return { ok: true };
  }
  @Put('api/v1/policies') @RequireApiRole('admin') policy() {
    return { ok: true };
  }
  @Get('health/live') live() {
    return { ok: true };
  }
  @Get('metrics') metrics() {
    return 'm 1';
  }
}

describe('bearer tokens with roles on an HTTP API', () => {
  const viewer = newApiToken('dashboards', 'viewer');
  const tech = newApiToken('console', 'technician');
  const admin = newApiToken('ops', 'admin');
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    @Module({ imports: [ApiAuthModule.forRoot({ tokens: parseApiTokens([viewer.entry, tech.entry, admin.entry].join('\n')), maxFailures: 3, failureWindowMs: 60_000 }, 'test')], controllers: [ProbeController] })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: false });
    app.useGlobalFilters(new ApiErrorFilter());
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(async () => app?.close());

  const call = (method: string, path: string, token?: string, from = '127.0.0.1') =>
    fetch(`${base.replace('[::1]', '127.0.0.1')}${path}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'x-test-from': from } });

  it('keeps health and metrics open, and needs a token for the API', async () => {
    expect((await call('GET', '/health/live')).status).toBe(200);
    expect((await call('GET', '/metrics')).status).toBe(200);
    const r = await call('GET', '/api/v1/things');
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('lets a viewer read but not change; a technician change; only an admin set policies', async () => {
    expect((await call('GET', '/api/v1/things', viewer.token)).status).toBe(200);
    const denied = await call('POST', '/api/v1/things', viewer.token);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: 'forbidden', details: { required: 'technician', role: 'viewer' } });
    expect((await call('POST', '/api/v1/things', tech.token)).status).toBe(201);
    expect((await call('PUT', '/api/v1/policies', tech.token)).status).toBe(403);
    expect((await call('PUT', '/api/v1/policies', admin.token)).status).toBe(200);
  });

  it('locks a client out after repeated wrong tokens, with 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/v1/things', `mwt_guess${i}`)).status).toBe(401);
    const locked = await call('GET', '/api/v1/things', viewer.token);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await locked.json()).toMatchObject({ code: 'too_many_attempts' });
    // Health stays reachable for the orchestrator.
    expect((await call('GET', '/health/live')).status).toBe(200);
  });
});

describe('token entries', () => {
  it('refuses a plain token, an unknown role and duplicates, naming the entry', () => {
    expect(() => parseApiTokens('a:viewer:mwt_plaintoken')).toThrow(/SHA-256/);
    expect(() => parseApiTokens(`a:root:${'0'.repeat(64)}`)).toThrow(/role/);
    expect(() => parseApiTokens(`a:viewer:${'0'.repeat(64)}\na:admin:${'1'.repeat(64)}`)).toThrow(/twice/);
    expect(parseApiTokens(`# comment\na:viewer:${'0'.repeat(64)}`)).toHaveLength(1);
  });
});
