import { formatLogTimestamp } from './service.logger';

describe('formatLogTimestamp', () => {
  const intl = new Intl.DateTimeFormat('en-US', { year: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', day: '2-digit', month: '2-digit' });

  it("prints what Nest's ConsoleLogger prints in the en-US locale", () => {
    // Midnight and noon hours, single-digit months, days, hours, minutes and seconds, a year's end.
    const samples = [
      new Date(2026, 11, 5, 0, 37, 50),
      new Date(2026, 0, 1, 12, 0, 0),
      new Date(2026, 6, 9, 9, 5, 7),
      new Date(2025, 11, 31, 23, 59, 59),
      new Date(2030, 1, 28, 13, 1, 2, 999),
    ];
    for (const d of samples) expect(formatLogTimestamp(d.getTime())).toBe(intl.format(d));
  });
});
