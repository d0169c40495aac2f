import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError } from '@millwright/config';
import type { HostedService } from './http-service.collector';
import { HealthRegistry } from './health.registry';
import { listenHttpService } from './http-service.runner';
import { useServiceLogger } from './service.logger';

/** `twin-service` -> `TWIN_SERVICE__`: the prefix of settings meant for that service alone. */
export const serviceEnvPrefix = (name: string): string => `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}__`;

/**
 * The environment one hosted service sees: the shared one, plus its prefixed variables with the
 * prefix removed (`PREDICTOR__HTTP_PORT=9081` is the predictor's HTTP_PORT), which win.
 */
export function scopedEnv(name: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const prefix = serviceEnvPrefix(name);
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [k, v] of Object.entries(env)) if (k.startsWith(prefix) && k.length > prefix.length) out[k.slice(prefix.length)] = v;
  return out;
}

// Settings that cannot be shared: one port (or database file) for several services would collide.
const PER_SERVICE_ONLY = ['HTTP_PORT'];

export interface HostedApp {
  name: string;
  app: NestExpressApplication;
}

/**
 * Runs several services in this one process (the all-in-one mode for the smallest boxes): each
 * service's own composition root, each on its own port with its own DI container, but one Node
 * runtime, one heap and one copy of the shared code. Services start in the given order, each after
 * the previous one listens (the predictor and maintenance call the twin service's API). Every
 * service's /health/ready also reports its siblings, so any one port tells whether the process is
 * ready. SIGTERM closes them in reverse order, then the process exits.
 */
export async function hostHttpServices(services: HostedService[], env: NodeJS.ProcessEnv = process.env): Promise<HostedApp[]> {
  const shared = PER_SERVICE_ONLY.filter((k) => env[k] !== undefined);
  if (shared.length && services.length > 1) {
    throw new ConfigError(shared.map((k) => `${k} cannot be shared by several services in one process: set ${services.map((s) => serviceEnvPrefix(s.name) + k).join(', ')}`));
  }
  const started: HostedApp[] = [];
  try {
    for (const s of services) {
      // prepare() reads its settings from process.env (the apps' load*Config defaults), synchronously.
      const saved = process.env;
      process.env = scopedEnv(s.name, env);
      let spec;
      try {
        spec = s.prepare();
      } finally {
        process.env = saved;
      }
      started.push({ name: s.name, app: await listenHttpService(s.name, spec) });
    }
  } catch (e) {
    await closeHostedApps(started);
    throw e;
  }
  linkReadiness(started);
  return started;
}

function linkReadiness(apps: HostedApp[]): void {
  const registries = apps.map((a) => ({ name: a.name, health: a.app.get(HealthRegistry, { strict: false }) }));
  // Sibling checks call each other's registries; the guard stops the recursion at one level.
  let asking = false;
  for (const own of registries) {
    for (const sibling of registries) {
      if (sibling === own) continue;
      own.health.register(`service:${sibling.name}`, () => {
        if (asking) return null;
        asking = true;
        try {
          const failing = sibling.health.failing();
          return Object.keys(failing).length ? Object.entries(failing).map(([k, v]) => `${k}: ${v}`).join('; ') : null;
        } finally {
          asking = false;
        }
      });
    }
  }
}

export async function closeHostedApps(apps: HostedApp[]): Promise<void> {
  for (const a of [...apps].reverse()) {
    try {
      await a.app.close();
    } catch (e) {
      Logger.error(`closing failed: ${(e as Error).message}`, a.name);
    }
  }
}

/** hostHttpServices for a process entry point: exits 1 on a start failure, closes all on SIGTERM/SIGINT. */
export function runHostedHttpServices(name: string, services: HostedService[]): void {
  useServiceLogger();
  hostHttpServices(services).then(
    (apps) => {
      Logger.log(`hosting ${apps.map((a) => a.name).join(', ')} in one process`, name);
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        Logger.log(`${signal}: stopping`, name);
        void closeHostedApps(apps).then(() => process.exit(0));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    },
    (e: unknown) => {
      console.error(e instanceof ConfigError ? e.message : e);
      process.exit(1);
    },
  );
}
