import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectRepository } from '@nestjs/typeorm';
import type { NatsConnection } from 'nats';
import type { Repository } from 'typeorm';
import { Subjects, encodeTwinChangeFrame, type ReadingBatchV1, type ReadingV1, type ReportedValue, type TwinChangedV1 } from '@millwright/contracts';
import { NaiveTwinEntity } from './naive-twin.entity';
import { NAIVE_NATS } from './naive-ingest.tokens';

/**
 * The baseline the bench compares against: telemetry handled the way a NestJS tutorial would, one
 * event handler per message and one repository round trip (find, then save) per reading. It does
 * no validation and keeps no history, which can only make it faster than the real service.
 */
@Controller()
export class NaiveIngestController {

  constructor(
    @InjectRepository(NaiveTwinEntity) private readonly twins: Repository<NaiveTwinEntity>,
    @Inject(NAIVE_NATS) private readonly nc: NatsConnection,
  ) {}

  @EventPattern('telemetry.v1.*.*')
  async onReading(@Payload() reading: ReadingV1): Promise<void> {
    await this.apply(reading);
  }

  @EventPattern('telemetry.v1.*.*.batch')
  async onBatch(@Payload() batch: ReadingBatchV1): Promise<void> {
    for (const reading of batch.readings) await this.apply(reading);
  }

  private async apply(r: ReadingV1): Promise<void> {
    const now = Date.now();
    const ts = typeof r.ts === 'number' ? r.ts : Date.parse(r.ts);
    const twin =
      (await this.twins.findOneBy({ site: r.site, asset: r.asset })) ??
      this.twins.create({ site: r.site, asset: r.asset, reported: {}, version: 0, lastSeq: -1, updatedAt: now });
    const changes: Record<string, ReportedValue> = {};
    for (const [name, v] of Object.entries(r.values)) changes[name] = { v, ts, seq: r.seq };
    const fromVersion = twin.version;
    twin.reported = { ...twin.reported, ...changes };
    twin.version = fromVersion + 1;
    twin.lastSeq = Math.max(twin.lastSeq, r.seq);
    twin.updatedAt = now;
    await this.twins.save(twin);

    const event: TwinChangedV1 = { site: r.site, asset: r.asset, version: twin.version, fromVersion, cause: 'telemetry', at: now, changes: { readings: [{ seq: r.seq, ts, values: r.values }] }, lastSeq: twin.lastSeq };
    this.nc.publish(Subjects.twinChanges(r.site), encodeTwinChangeFrame(r.site, [event]));
  }
}
