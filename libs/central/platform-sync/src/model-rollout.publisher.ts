import { Inject, Injectable, Logger } from '@nestjs/common';
import { Subjects, type ModelReleaseAnnouncementV1, type ModelReleaseChunkV1 } from '@millwright/contracts';
import { NATS_CONNECTION, publishJsonDurably } from '@millwright/messaging';
import { MODEL_CARD_FILE, MODEL_FILE, MODEL_SIGNATURE_FILE, chunkBytes, encodeReleaseBundle, releaseObjectName, sha256Hex, type ModelBundleFiles } from '@millwright/model-release';
import { PlatformStore, type ModelReleaseEntity } from '@millwright/platform-data-access';
import { advanceRollout, type SiteRolloutState } from '@millwright/sync-domain';
import type { NatsConnection } from 'nats';
import { PLATFORM_SYNC_OPTIONS, type PlatformSyncOptions } from './platform-sync.options';

interface PreparedBundle {
  chunks: string[];
  sha256: string;
  bytes: number;
}

/**
 * The central release controller: moves each staged release on by the rollout rule (next stage
 * once every site of the current one promoted, stop at a rollback) and sends it to the sites whose
 * stage has begun. The database is the outbox: a site row `pending` without `sent_at` is owed, so a
 * stage released just before a crash is still sent after the restart. The files are read from the
 * hub's object store and cut into chunks that go down the same DOWNLINK stream as desired state
 * (newest per subject), so a site that is away takes the release when it returns.
 */
@Injectable()
export class ModelRolloutPublisher {
  private readonly log = new Logger(ModelRolloutPublisher.name);
  private running?: Promise<number>;
  /** Bundles by version: releases are immutable once recorded, and several sites take the same one. */
  private readonly bundles = new Map<string, PreparedBundle>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(PLATFORM_SYNC_OPTIONS) private readonly o: PlatformSyncOptions,
    private readonly store: PlatformStore,
  ) {}

  /** The three files of an uploaded release, or null when the card or model is missing. */
  async readFiles(version: string): Promise<ModelBundleFiles | null> {
    const os = await this.nc.jetstream().views.os(this.o.modelBucket);
    const [cardBytes, modelBytes, sig] = await Promise.all(([MODEL_CARD_FILE, MODEL_FILE, MODEL_SIGNATURE_FILE] as const).map((f) => os.getBlob(releaseObjectName(version, f))));
    if (!cardBytes || !modelBytes) return null;
    return { cardBytes, modelBytes, signatureText: sig ? new TextDecoder().decode(sig) : undefined };
  }

  /** Advances every release and sends what is owed; concurrent calls share one run. Returns how many sends. */
  run(): Promise<number> {
    this.running ??= this.runOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runOnce(): Promise<number> {
    for (const r of await this.store.releasesRollingOut()) await this.advance(r);
    let sent = 0;
    for (const owed of await this.store.owedReleases(100)) {
      try {
        await this.send(owed.release, owed.site);
      } catch (e) {
        this.log.warn(`release ${owed.release.version} for ${owed.site} not sent yet: ${(e as Error).message}`);
        continue;
      }
      await this.store.markReleaseSent(owed.release.version, owed.site, Date.now());
      sent++;
    }
    return sent;
  }

  private async advance(r: ModelReleaseEntity): Promise<void> {
    const cur = await this.store.release(r.version);
    if (!cur) return;
    const sites = Object.fromEntries(cur.sites.map((s) => [s.site, { state: s.state as SiteRolloutState, code: s.code }]));
    const step = advanceRollout({ stages: r.stages, currentStage: r.currentStage, state: 'rolling_out', sites });
    if (step.state === 'rolling_out' && step.currentStage === r.currentStage) return;
    if (!(await this.store.applyReleaseStep(r.version, r.currentStage, step, Date.now()))) return;
    // A decided release is sent nowhere new; a send still owed reads its files again.
    if (step.state !== 'rolling_out') this.bundles.delete(r.version);
    if (step.state === 'halted') this.log.warn(`release ${r.version} halted: ${step.haltReason}`);
    else if (step.state === 'completed') this.log.log(`release ${r.version} promoted at every site`);
    else this.log.log(`release ${r.version}: stage ${step.currentStage + 1} of ${r.stages.length} begins (${step.release.join(', ')})`);
  }

  private async bundle(version: string): Promise<PreparedBundle> {
    let b = this.bundles.get(version);
    if (!b) {
      const files = await this.readFiles(version);
      if (!files) throw new Error(`the files of ${version} are missing from object store ${this.o.modelBucket}`);
      const bytes = encodeReleaseBundle(files);
      b = { chunks: chunkBytes(bytes), sha256: sha256Hex(bytes), bytes: bytes.length };
      this.bundles.set(version, b);
    }
    return b;
  }

  /** Chunks first, announcement last: a site sourcing the downlink in order has all chunks when it sees the announcement. */
  private async send(r: ModelReleaseEntity, site: string): Promise<void> {
    const b = await this.bundle(r.version);
    const js = this.nc.jetstream();
    for (let i = 0; i < b.chunks.length; i++) {
      const chunk: ModelReleaseChunkV1 = { site, version: r.version, index: i, count: b.chunks.length, data: b.chunks[i] };
      await publishJsonDurably(js, Subjects.downlinkModelChunk(site, i), chunk, `${site}.model.${r.version}.chunk.${i}`);
    }
    const a: ModelReleaseAnnouncementV1 = {
      site,
      version: r.version,
      sha256: r.sha256,
      bundleSha256: b.sha256,
      bundleBytes: b.bytes,
      chunks: b.chunks.length,
      shadowMs: r.shadowMs,
      maxDisagreement: r.maxDisagreement,
      at: Date.now(),
      by: r.createdBy,
    };
    await publishJsonDurably(js, Subjects.downlinkModelRelease(site), a, `${site}.model.${r.version}.release`);
    this.log.log(`release ${r.version} sent to ${site} (${b.chunks.length} chunk(s), ${b.bytes} bytes)`);
  }
}
