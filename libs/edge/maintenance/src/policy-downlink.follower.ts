import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Streams, Subjects, deadLetterOf, validatePolicyUpdate, type DeadLetterV1 } from '@millwright/contracts';
import { MaintenanceSqliteStore } from '@millwright/maintenance-data-access';
import { JetStreamBatchConsumer, NATS_CONNECTION, ensureConsumer, publishJsonDurably } from '@millwright/messaging';
import { AckPolicy, DeliverPolicy, type JsMsg, type NatsConnection } from 'nats';
import { checkReplacementPolicy } from '@millwright/maintenance-domain';

export interface PolicyDownlinkOptions {
  /** This site's id; '' turns the follower off (a site without an uplink). */
  site: string;
}
export const POLICY_DOWNLINK_OPTIONS = Symbol('POLICY_DOWNLINK_OPTIONS');

const DURABLE = 'maintenance-policies';
const RETRY_MS = 5000;

/**
 * Takes replacement policies set centrally for this site from DOWNLINK_IN (the site's part of the
 * hub's downlink, which the twin service's sync sets up and which catches up after an outage). Each
 * is checked field by field like a policy set locally; a bad one is dead-lettered with its reason.
 * Policies belong to the central side: the newest central version replaces a local edit.
 */
@Injectable()
export class PolicyDownlinkFollower implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(PolicyDownlinkFollower.name);
  private consumer?: JetStreamBatchConsumer;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(POLICY_DOWNLINK_OPTIONS) private readonly o: PolicyDownlinkOptions,
    private readonly store: MaintenanceSqliteStore,
  ) {}

  onApplicationBootstrap(): void {
    if (this.o.site) void this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.consumer?.stop();
  }

  /** The stream belongs to the twin service, which may start later: retry until it is there. */
  private async start(): Promise<void> {
    try {
      await ensureConsumer(await this.nc.jetstreamManager(), Streams.downlinkIn.name, {
        durable_name: DURABLE,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: Subjects.downlinkPolicy(this.o.site, '*'),
      });
      this.consumer = new JetStreamBatchConsumer(this.nc.jetstream(), { stream: Streams.downlinkIn.name, durable: DURABLE, maxAckPending: 64, retryDelayMs: 2000 }, (buf) => this.handle(buf));
      await this.consumer.start();
      this.log.log(`following central policies for site ${this.o.site}`);
    } catch (e) {
      if (this.stopped) return;
      this.log.warn(`central policies not followed yet (${(e as Error).message}); retrying in ${RETRY_MS / 1000} s`);
      this.timer = setTimeout(() => void this.start(), RETRY_MS);
      this.timer.unref();
    }
  }

  private async handle(buf: readonly JsMsg[]): Promise<{ taken: number }> {
    for (const m of buf) {
      let body: unknown;
      try {
        body = m.json();
      } catch {
        body = undefined;
      }
      const v = validatePolicyUpdate(body, this.o.site);
      let problem: { reason: DeadLetterV1['reason']; detail: string } | undefined = v.ok ? undefined : { reason: v.code, detail: v.detail };
      if (v.ok) {
        const p = checkReplacementPolicy({ ...v.value.policy, assetClass: v.value.assetClass });
        if (p.ok) {
          this.store.upsertPolicy(p.policy, Date.now());
          this.log.log(`policy for ${v.value.assetClass} v${v.value.version} from ${v.value.by} applied`);
        } else {
          problem = { reason: 'invalid_shape', detail: `${p.field} must be ${p.what}` };
        }
      }
      if (problem) {
        const letter = deadLetterOf('sync', m, problem.reason, problem.detail, Date.now());
        await publishJsonDurably(this.nc.jetstream(), Subjects.deadLetter('sync', this.o.site), letter, `policy.${m.seq}`);
        this.log.warn(`central policy refused: ${problem.detail}`);
      }
    }
    return { taken: buf.length };
  }
}
