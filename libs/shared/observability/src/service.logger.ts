import { ConsoleLogger, Logger } from '@nestjs/common';

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * `12/05/2026, 9:07:03 PM`: what Nest's ConsoleLogger prints with the images' default locale (en-US),
 * in local time, formatted without Intl. Nest formats it with an Intl.DateTimeFormat, whose creation
 * touches ~6 MB of the node binary's ICU data (locale and time zone tables) that then stay in every
 * service's RSS; Date's own getters do not need them.
 */
export function formatLogTimestamp(ms: number): string {
  const d = new Date(ms);
  const h = d.getHours();
  return `${two(d.getMonth() + 1)}/${two(d.getDate())}/${d.getFullYear()}, ${h % 12 || 12}:${two(d.getMinutes())}:${two(d.getSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** Nest's console logger (same lines, colours and levels) with the timestamp formatted by formatLogTimestamp. */
export class ServiceLogger extends ConsoleLogger {
  protected override getTimestamp(): string {
    return formatLogTimestamp(Date.now());
  }
}

let installed: ServiceLogger | undefined;

/**
 * Makes ServiceLogger the process's logger, for the static `Logger.log(...)` calls and every
 * `new Logger(context)` too, before anything logs. The service bundles (scripts/build.mjs) also create
 * Nest's own formatters only when first used, so that nothing touches ICU's data unless asked to.
 */
export function useServiceLogger(): ServiceLogger {
  if (!installed) {
    installed = new ServiceLogger();
    Logger.overrideLogger(installed);
  }
  return installed;
}
