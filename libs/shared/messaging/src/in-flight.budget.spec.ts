import { InFlightBudget } from './in-flight.budget';

const MB = 1024 * 1024;

describe('InFlightBudget', () => {
  it('keeps the configured count while messages are small, and before it has seen any', () => {
    const b = new InFlightBudget(32 * MB, 1000);
    expect(b.limit()).toBe(1000);
    b.observe(450 * 500, 500); // single readings
    expect(b.limit()).toBe(1000);
    expect(b.shouldChange(1000)).toBe(false);
  });

  it('lowers the count so that large batches stay within the byte budget, and raises it again when they shrink', () => {
    const b = new InFlightBudget(32 * MB, 1000);
    b.observe(100 * 1024 * 20, 20); // 100 KB batches: 1,000 of them would be 100 MB
    expect(b.limit()).toBe(327);
    expect(b.limit() * b.averageMessageBytes!).toBeLessThanOrEqual(32 * MB);
    expect(b.shouldChange(1000)).toBe(true);
    expect(b.shouldChange(327)).toBe(false);
    for (let i = 0; i < 20; i++) b.observe(2 * 1024 * 50, 50);
    expect(b.limit()).toBe(1000);
    expect(b.shouldChange(327)).toBe(true);
  });

  it('follows a change of size within a few dozen batches, without swinging on one odd message', () => {
    const b = new InFlightBudget(32 * MB, 1000);
    b.observe(21 * 1024 * 100, 100);
    b.observe(400 * 1024, 1); // one large message among small ones
    expect(b.shouldChange(1000)).toBe(false);
    for (let i = 0; i < 20; i++) b.observe(200 * 1024 * 10, 10);
    expect(b.limit()).toBeLessThan(250);
  });

  it('never goes below its floor, nor above the configured count', () => {
    const huge = new InFlightBudget(1 * MB, 1000);
    huge.observe(512 * 1024 * 10, 10);
    expect(huge.limit()).toBe(16);
    const few = new InFlightBudget(1 * MB, 8);
    few.observe(512 * 1024, 1);
    expect(few.limit()).toBe(8);
  });
});
