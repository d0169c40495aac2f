import { ConsoleLogger } from '@nestjs/common';
import { formatLogTimestamp } from './service.logger';

/** Nest's own timestamp at `d`: ConsoleLogger formats Date.now(), so the clock is set to it. */
function nestTimestamp(d: Date): string {
  jest.setSystemTime(d);
  return (new ConsoleLogger() as unknown as { getTimestamp(): string }).getTimestamp();
}

describe('formatLogTimestamp', () => {
  beforeAll(() => jest.useFakeTimers());
  afterAll(() => jest.useRealTimers());

  it("prints what Nest's ConsoleLogger prints (its formatter, in this process's locale)", () => {
    // Midnight and noon hours, single-digit months, days, hours, minutes and seconds, a year's end.
    const samples = [
      new Date(2026, 11, 5, 0, 37, 50),
      new Date(2026, 0, 1, 12, 0, 0),
      new Date(2026, 6, 9, 9, 5, 7),
      new Date(2025, 11, 31, 23, 59, 59),
      new Date(2030, 1, 28, 13, 1, 2, 999),
    ];
    for (const d of samples) expect(formatLogTimestamp(d.getTime())).toBe(nestTimestamp(d));
  });
});
