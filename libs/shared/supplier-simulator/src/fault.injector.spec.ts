import { FaultInjector } from './fault.injector';

const kinds = (f: FaultInjector, n: number) => Array.from({ length: n }, () => f.draw().kind);

describe('FaultInjector', () => {
  it('repeats the same fault sequence for the same seed, and another for another seed', () => {
    const settings = { failRate: 0.3, timeoutRate: 0.2 };
    const a = kinds(new FaultInjector(settings, 42), 50);
    expect(kinds(new FaultInjector(settings, 42), 50)).toEqual(a);
    expect(kinds(new FaultInjector(settings, 43), 50)).not.toEqual(a);
  });

  it('strikes at about the configured rates', () => {
    const all = kinds(new FaultInjector({ failRate: 0.3, timeoutRate: 0.2 }, 7), 10_000);
    const share = (k: string) => all.filter((x) => x === k).length / all.length;
    expect(share('fail')).toBeGreaterThan(0.28);
    expect(share('fail')).toBeLessThan(0.32);
    expect(share('timeout')).toBeGreaterThan(0.18);
    expect(share('timeout')).toBeLessThan(0.22);
  });

  it('marks faults that strike after the order was accepted', () => {
    const f = new FaultInjector({ failRate: 1, failAfterAccept: true });
    expect(f.draw()).toEqual({ kind: 'fail', afterAccept: true });
    f.update({ failRate: 0, timeoutRate: 1, timeoutAfterAccept: false });
    expect(f.draw()).toEqual({ kind: 'timeout', afterAccept: false });
  });

  it('restarts the sequence when given a seed at run time', () => {
    const f = new FaultInjector({ failRate: 0.5 }, 9);
    const first = kinds(f, 20);
    f.update({ seed: 9 });
    expect(kinds(f, 20)).toEqual(first);
  });

  it('refuses an inconsistent update and keeps the settings it had', () => {
    const f = new FaultInjector({ failRate: 0.6 });
    expect(f.update({ timeoutRate: 0.5 })).toEqual({ ok: false, message: 'failRate + timeoutRate must not exceed 1' });
    expect(f.update({ delayMs: '5' })).toMatchObject({ ok: false });
    expect(f.update({ failrate: 0.1 })).toEqual({ ok: false, message: 'unknown field: failrate' });
    expect(f.current()).toMatchObject({ failRate: 0.6, timeoutRate: 0, delayMs: 0 });
  });
});
