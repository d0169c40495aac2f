import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { ConfigError } from '@millwright/config';
import { freePort } from '@millwright/testing';
import { collectHttpServices } from './http-service.collector';
import { closeHostedApps, hostHttpServices, scopedEnv, type HostedApp } from './http-service.host';
import { startHttpService } from './http-service.runner';
import { HealthRegistry } from './health.registry';
import { ObservabilityModule } from './observability.module';

// A stand-in for a service's own readiness (NATS connected, consumer running, ...), switchable per test.
const broken = new Set<string>();

function serviceModule(name: string) {
  @Injectable()
  class Check implements OnModuleInit {
    constructor(private readonly health: HealthRegistry) {}
    onModuleInit(): void {
      this.health.register('own', () => (broken.has(name) ? `${name} is broken` : null));
    }
  }
  @Module({ imports: [ObservabilityModule.forRoot({ service: name })], providers: [Check] })
  class ServiceModule {}
  return ServiceModule;
}

/** What an app's main.ts does: startHttpService with a prepare that reads process.env. */
function mainOf(name: string, seen: Record<string, string | undefined>) {
  return () =>
    startHttpService(name, () => {
      seen[name] = process.env.GREETING;
      return { module: { module: serviceModule(name) }, host: '127.0.0.1', port: Number(process.env.HTTP_PORT), title: name, description: name };
    });
}

const ready = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
  return { status: res.status, body: (await res.json()) as { details?: Record<string, string> } };
};

describe('all-in-one host', () => {
  let apps: HostedApp[] = [];
  afterEach(async () => {
    broken.clear();
    await closeHostedApps(apps);
    apps = [];
  });

  it('gives each service the shared settings plus its own prefixed ones', () => {
    const env = scopedEnv('twin-service', { NATS_URL: 'nats://x', TWIN_SERVICE__HTTP_PORT: '9080', PREDICTOR__HTTP_PORT: '9081', TWIN_SERVICE__NATS_URL: 'nats://y' });
    expect(env).toMatchObject({ HTTP_PORT: '9080', NATS_URL: 'nats://y' });
    expect(scopedEnv('predictor', { PREDICTOR__HTTP_PORT: '9081' }).HTTP_PORT).toBe('9081');
  });

  it('hosts every collected service on its own port, each preparing with its own settings', async () => {
    const seen: Record<string, string | undefined> = {};
    const services = collectHttpServices(() => {
      mainOf('alpha', seen)();
      mainOf('beta', seen)();
    });
    expect(services.map((s) => s.name)).toEqual(['alpha', 'beta']);
    const [a, b] = [await freePort(), await freePort()];
    apps = await hostHttpServices(services, { GREETING: 'shared', ALPHA__HTTP_PORT: String(a), BETA__HTTP_PORT: String(b), BETA__GREETING: 'beta-only' });
    expect(seen).toEqual({ alpha: 'shared', beta: 'beta-only' });
    expect(process.env.GREETING).toBeUndefined();
    expect((await ready(a)).status).toBe(200);
    expect((await ready(b)).status).toBe(200);
  });

  it('is ready on any port only when every hosted service is', async () => {
    const services = collectHttpServices(() => {
      mainOf('alpha', {})();
      mainOf('beta', {})();
    });
    const [a, b] = [await freePort(), await freePort()];
    apps = await hostHttpServices(services, { ALPHA__HTTP_PORT: String(a), BETA__HTTP_PORT: String(b) });
    broken.add('beta');
    const fromAlpha = await ready(a);
    expect(fromAlpha.status).toBe(503);
    expect(fromAlpha.body.details).toEqual({ 'service:beta': 'own: beta is broken' });
    expect((await ready(b)).body.details).toEqual({ own: 'beta is broken' });
    broken.delete('beta');
    expect((await ready(a)).status).toBe(200);
  });

  it('refuses one HTTP_PORT for several services, naming the variables to set', async () => {
    const services = collectHttpServices(() => {
      mainOf('alpha', {})();
      mainOf('beta', {})();
    });
    await expect(hostHttpServices(services, { HTTP_PORT: '8080' })).rejects.toThrow(ConfigError);
    await expect(hostHttpServices(services, { HTTP_PORT: '8080' })).rejects.toThrow(/ALPHA__HTTP_PORT, BETA__HTTP_PORT/);
  });

  it('closes the services it started when a later one fails to start', async () => {
    const services = collectHttpServices(() => {
      mainOf('alpha', {})();
      startHttpService('beta', () => {
        throw new ConfigError(['BETA_THING is required']);
      });
    });
    const a = await freePort();
    await expect(hostHttpServices(services, { ALPHA__HTTP_PORT: String(a) })).rejects.toThrow(/BETA_THING/);
    await expect(fetch(`http://127.0.0.1:${a}/health/live`)).rejects.toThrow();
  });
});
