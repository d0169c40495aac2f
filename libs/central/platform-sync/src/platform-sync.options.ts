export interface PlatformSyncOptions {
  /** Sites to register at start, `id=domain` (domain defaults to the id). More can be added over HTTP. */
  sites: Array<{ id: string; domain: string }>;
  /** How long the hub waits for an ack before redelivering (after a crash of this service). */
  ackWaitMs: number;
  /** How often each site is told how far its outbox was applied, and owed desired documents are retried. */
  announceIntervalMs: number;
  /** Hub stream limits: what the hub keeps per site before this service has applied it. */
  inboxMaxBytes: number;
  deadLetterMaxBytes: number;
  downlinkMaxAgeMs: number;
  /** Hub object store bucket holding uploaded releases (`<version>/model.onnx`, card, signature). */
  modelBucket: string;
}
export const PLATFORM_SYNC_OPTIONS = Symbol('PLATFORM_SYNC_OPTIONS');
export const PLATFORM_DURABLE = 'asset-platform';

/** Parses `site-a=domain_a,site-b` (domain defaults to the site id). */
export function parseSiteList(raw: string): Array<{ id: string; domain: string }> {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [id, domain] = s.split('=');
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id) || (domain !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(domain))) throw new Error(`'${s}' is not site[=domain]`);
      return { id, domain: domain ?? id };
    });
}
