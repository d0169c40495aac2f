import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subjects, type DesiredUpdateV1, type PolicyUpdateV1 } from '@millwright/contracts';
import { NATS_CONNECTION, publishJsonDurably } from '@millwright/messaging';
import { PlatformStore } from '@millwright/platform-data-access';
import type { NatsConnection } from 'nats';

/**
 * Sends central desired documents and policies down: the database is the outbox (a twin whose desired version is
 * ahead of its published version is owed to its site), so a change committed just before a crash is
 * still sent after the restart. The hub's DOWNLINK keeps the newest document per asset until the
 * site's own stream has sourced it, however long the site is away.
 */
@Injectable()
export class DesiredDownlinkPublisher {
  private readonly log = new Logger(DesiredDownlinkPublisher.name);
  private running?: Promise<number>;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly store: PlatformStore,
  ) {}

  /** Publishes everything owed; concurrent calls share one run. Returns how many were sent. */
  publishOwed(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<number> {
    const desired = await this.drainOwed(
      (n) => this.store.owedDesired(n),
      (t): Owed<DesiredUpdateV1> => ({
        what: `desired ${t.site}/${t.asset} v${t.desiredVersion}`,
        subject: Subjects.downlinkDesired(t.site, t.asset),
        msgId: `${t.site}.${t.asset}.desired.${t.desiredVersion}`,
        body: { site: t.site, asset: t.asset, version: t.desiredVersion, desired: t.desired, at: t.updatedAt, by: 'asset-platform' },
        markSent: () => this.store.markDesiredPublished(t.site, t.asset, t.desiredVersion),
      }),
    );
    if (desired.stopped) return desired.sent;
    const policies = await this.drainOwed(
      (n) => this.store.owedPolicies(n),
      (p): Owed<PolicyUpdateV1> => ({
        what: `policy ${p.site}/${p.assetClass} v${p.version}`,
        subject: Subjects.downlinkPolicy(p.site, p.assetClass),
        msgId: `${p.site}.${p.assetClass}.policy.${p.version}`,
        body: { site: p.site, assetClass: p.assetClass, version: p.version, policy: p.policy, at: p.updatedAt, by: p.updatedBy },
        markSent: () => this.store.markPolicyPublished(p.site, p.assetClass, p.version),
      }),
    );
    return desired.sent + policies.sent;
  }

  /**
   * Publishes rows the database says are owed, page by page, marking each sent once the hub stored it.
   * Stops at the first failure (the hub is away): the rows stay owed and the next run retries them.
   */
  private async drainOwed<R, B>(load: (n: number) => Promise<R[]>, describe: (row: R) => Owed<B>): Promise<{ sent: number; stopped: boolean }> {
    const js = this.nc.jetstream();
    let sent = 0;
    for (let owed = await load(PAGE); owed.length > 0; owed = await load(PAGE)) {
      for (const row of owed) {
        const o = describe(row);
        try {
          await publishJsonDurably(js, o.subject, o.body, o.msgId);
        } catch (e) {
          this.log.warn(`${o.what} not published yet: ${(e as Error).message}`);
          return { sent, stopped: true };
        }
        await o.markSent();
        sent++;
      }
    }
    return { sent, stopped: false };
  }
}

interface Owed<B> {
  what: string;
  subject: string;
  msgId: string;
  body: B;
  markSent: () => Promise<void>;
}

const PAGE = 200;
