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
    const js = this.nc.jetstream();
    let sent = 0;
    for (let owed = await this.store.owedDesired(500); owed.length > 0; owed = await this.store.owedDesired(500)) {
      for (const t of owed) {
        const update: DesiredUpdateV1 = { site: t.site, asset: t.asset, version: t.desiredVersion, desired: t.desired, at: t.updatedAt, by: 'asset-platform' };
        try {
          await publishJsonDurably(js, Subjects.downlinkDesired(t.site, t.asset), update, `${t.site}.${t.asset}.desired.${t.desiredVersion}`);
        } catch (e) {
          this.log.warn(`desired ${t.site}/${t.asset} v${t.desiredVersion} not published yet: ${(e as Error).message}`);
          return sent;
        }
        await this.store.markDesiredPublished(t.site, t.asset, t.desiredVersion);
        sent++;
      }
    }
    for (let owed = await this.store.owedPolicies(100); owed.length > 0; owed = await this.store.owedPolicies(100)) {
      for (const p of owed) {
        const update: PolicyUpdateV1 = { site: p.site, assetClass: p.assetClass, version: p.version, policy: p.policy, at: p.updatedAt, by: p.updatedBy };
        try {
          await publishJsonDurably(js, Subjects.downlinkPolicy(p.site, p.assetClass), update, `${p.site}.${p.assetClass}.policy.${p.version}`);
        } catch (e) {
          this.log.warn(`policy ${p.site}/${p.assetClass} v${p.version} not published yet: ${(e as Error).message}`);
          return sent;
        }
        await this.store.markPolicyPublished(p.site, p.assetClass, p.version);
        sent++;
      }
    }
    return sent;
  }
}
