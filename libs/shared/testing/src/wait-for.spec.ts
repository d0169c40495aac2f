import { WaitAborted, waitFor } from './wait-for';

describe('waitFor', () => {
  it('retries a failing probe until it succeeds', async () => {
    let calls = 0;
    await expect(waitFor(() => {
      if (++calls < 3) throw new Error('not yet');
      return 'ok';
    }, { intervalMs: 1 })).resolves.toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up at once when the probe says waiting cannot help', async () => {
    const started = Date.now();
    await expect(waitFor(() => {
      throw new WaitAborted('the server exited');
    }, { timeoutMs: 5000 })).rejects.toThrow('the server exited');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports the last error when time runs out', async () => {
    await expect(waitFor(() => {
      throw new Error('connection refused');
    }, { timeoutMs: 30, intervalMs: 5, what: 'the broker' })).rejects.toThrow(/waiting for the broker: connection refused/);
  });
});
