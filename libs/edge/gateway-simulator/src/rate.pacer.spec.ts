import { RatePacer, type PacerClock } from './rate.pacer';

/** A clock whose sleeps advance time by what was asked plus a chosen oversleep, like a busy timer. */
function fakeClock(oversleepMs = 0): PacerClock & { t: number; sleeps: number } {
  const c = {
    t: 0,
    sleeps: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps++;
      c.t += ms + oversleepMs;
    },
  };
  return c;
}

describe('RatePacer', () => {
  it('lets the first unit through at once and then paces at the rate', async () => {
    const clock = fakeClock();
    const pacer = new RatePacer(10, { clock });
    for (let i = 0; i < 101; i++) await pacer.take(1);
    expect(clock.t).toBeCloseTo(10_000, 6);
  });

  it('does not drift when every timer fires late: the lost time is made up', async () => {
    const clock = fakeClock(7);
    const pacer = new RatePacer(100, { clock });
    for (let i = 0; i < 1001; i++) await pacer.take(1);
    // 1000 intervals of 10 ms; a drifting loop would take 1000 x 17 ms.
    expect(clock.t).toBeGreaterThanOrEqual(10_000);
    expect(clock.t).toBeLessThan(10_100);
  });

  it('charges a batch by its size', async () => {
    const clock = fakeClock();
    const pacer = new RatePacer(1000, { clock });
    for (let i = 0; i < 11; i++) await pacer.take(100);
    expect(clock.t).toBeCloseTo(1000, 6);
  });

  it('carries sub-millisecond debts instead of sleeping for each unit', async () => {
    const clock = fakeClock();
    const pacer = new RatePacer(100_000, { clock, minSleepMs: 2 });
    for (let i = 0; i < 10_001; i++) await pacer.take(1);
    expect(clock.t).toBeCloseTo(100, 0);
    expect(clock.sleeps).toBeLessThanOrEqual(51);
  });

  it('forgives a stall longer than the catch-up window instead of flooding', async () => {
    const clock = fakeClock();
    const pacer = new RatePacer(10, { clock, maxCatchUpMs: 1000 });
    await pacer.take(1);
    clock.t += 60_000;
    const before = clock.t;
    for (let i = 0; i < 20; i++) await pacer.take(1);
    // Only 1 s worth (10 units) was banked: 10 go at once, the 11th on credit, the other 9 wait
    // 100 ms each. Without the cap all 20 would have gone at once.
    expect(clock.t - before).toBeCloseTo(900, 6);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new RatePacer(0)).toThrow(/positive/);
  });
});
