type Falsy = undefined | null | false | 0 | '';

/** Thrown by a probe when waiting longer cannot help (the process it waits for has exited). */
export class WaitAborted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitAborted';
  }
}

/**
 * Polls `probe` until it returns a truthy value or the time is up; the last error is reported. A
 * probe error is retried (the server may not listen yet) unless it is a WaitAborted.
 */
export async function waitFor<T>(probe: () => T | Falsy | Promise<T | Falsy>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 50, what = 'condition' } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as T;
    } catch (e) {
      if (e instanceof WaitAborted) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
