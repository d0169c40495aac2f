/** A readiness check: returns null when fine, else why not. */
export type ReadinessCheck = () => string | null;

/**
 * Components register readiness checks; /health/ready reports every failing one. Liveness is only
 * "the event loop answers": restarting a process because its broker is down would not help.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  failing(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, check] of this.checks) {
      let why: string | null;
      try {
        why = check();
      } catch (e) {
        why = (e as Error).message;
      }
      if (why !== null) out[name] = why;
    }
    return out;
  }
}
