import type { HttpServiceSpec } from './http-service.runner';

/** A service's composition root as its main.ts hands it to startHttpService. */
export interface HostedService {
  name: string;
  prepare: () => HttpServiceSpec;
}

let collecting: HostedService[] | null = null;

/** Non-null while an all-in-one host loads the services' entry points. */
export function hostingCollector(): HostedService[] | null {
  return collecting;
}

/**
 * Runs `load` (which requires services' main modules) and returns the services they started,
 * without starting them: each main.ts stays the one composition root of its service.
 */
export function collectHttpServices(load: () => void): HostedService[] {
  if (collecting) throw new Error('collectHttpServices cannot be nested');
  const found: HostedService[] = [];
  collecting = found;
  try {
    load();
  } finally {
    collecting = null;
  }
  return found;
}
