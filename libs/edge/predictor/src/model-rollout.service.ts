import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  Streams,
  Subjects,
  validateModelReleaseAnnouncement,
  type ModelReleaseAnnouncementV1,
  type ModelReleaseChunkV1,
  type ModelReleaseStatusV1,
} from '@millwright/contracts';
import { NATS_CONNECTION, ensureStream, publishJsonDurably, boundedFileStream } from '@millwright/messaging';
import { decodeReleaseBundle, sha256Hex } from '@millwright/model-release';
import { ModelRegistry, type ModelCandidate, type PreparedModel } from '@millwright/model-registry';
import { ShadowTrial, windowRenormaliser } from '@millwright/predictor-domain';
import { DeliverPolicy, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import { PREDICTOR_OPTIONS, type PredictorOptions } from './predictor.options';
import { PredictorService, windowSpecOf } from './predictor.service';

/** Windows both models must have predicted before a candidate may be promoted: no data, no evidence. */
export const MIN_SHADOW_WINDOWS = 10;
const DECIDE_EVERY_MS = 250;
const RETRY_MS = 2000;

type Status = Omit<ModelReleaseStatusV1, 'site' | 'version' | 'at' | 'activeVersion'>;

interface Trial {
  announcement: ModelReleaseAnnouncementV1;
  /** The release's chunk messages as fetched: what MODEL_ACTIVE keeps if it is promoted. */
  chunks: Uint8Array[];
  prepared: PreparedModel;
  trial: ShadowTrial;
}

type Fetched = { ok: true; candidate: ModelCandidate; chunks: Uint8Array[] } | { ok: false; code: string; reason: string };

/**
 * The edge end of a staged model rollout. Takes the newest release the central platform announced
 * for this site from DOWNLINK_IN (an ordered consumer starting at the last announcement, so a
 * restarted or returning site picks up what it missed), reassembles its files, has the registry
 * verify and load it (signature, hash, smoke run), runs it in shadow beside the active model for
 * the release's shadow period, then promotes it or rolls back on its own. Every change of state
 * goes up through SYNC_OUT, and is also kept as the site's last decision in the predictor's own
 * MODEL_ACTIVE stream (one message per subject, no age limit): this service's memory across
 * restarts, so a decided release is not tried again. SYNC_OUT cannot be that memory: its age and
 * size limits (discarding the oldest) may drop the report long before the next release.
 */
@Injectable()
export class ModelRolloutService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ModelRolloutService.name);
  private messages?: ConsumerMessages;
  private timer?: NodeJS.Timeout;
  private decider?: NodeJS.Timeout;
  private stopped = false;
  private next?: ModelReleaseAnnouncementV1;
  private working?: Promise<void>;
  private current?: Trial;
  private reports: Promise<void> = Promise.resolve();
  private decisions: Promise<void> = Promise.resolve();
  private last: ModelReleaseStatusV1 | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(PREDICTOR_OPTIONS) private readonly o: PredictorOptions,
    private readonly registry: ModelRegistry,
    private readonly predictor: PredictorService,
  ) {}

  get site(): string {
    return this.o.site ?? '';
  }

  /** For /api/v1/model: the release in shadow and the last reported change. */
  status(): { shadow: { version: string; startedAt: string; stats: ReturnType<ShadowTrial['stats']> } | null; lastReport: ModelReleaseStatusV1 | null } {
    const t = this.current;
    return { shadow: t ? { version: t.announcement.version, startedAt: new Date(t.trial.startedAt).toISOString(), stats: t.trial.stats() } : null, lastReport: this.last };
  }

  onApplicationBootstrap(): void {
    if (!this.site) return;
    void this.start();
    this.decider = setInterval(() => void this.decide(), DECIDE_EVERY_MS);
    this.decider.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.decider);
    this.next = undefined;
    await this.messages?.close().catch(() => undefined);
    await this.working;
    if (this.current) this.abandon();
    await Promise.all([this.reports, this.decisions]);
  }

  /** DOWNLINK_IN belongs to the twin service, which may start later: retry until it is there. */
  private async start(): Promise<void> {
    try {
      await this.restorePromoted();
      const consumer = await this.nc.jetstream().consumers.get(Streams.downlinkIn.name, { filterSubjects: Subjects.downlinkModelRelease(this.site), deliver_policy: DeliverPolicy.LastPerSubject });
      this.messages = await consumer.consume({ max_messages: 4, callback: (m) => this.onMessage(m) });
      this.log.log(`following model releases for site ${this.site}`);
    } catch (e) {
      if (this.stopped) return;
      this.log.warn(`model releases not followed yet (${(e as Error).message}); retrying in ${RETRY_MS / 1000} s`);
      this.timer = setTimeout(() => void this.start(), RETRY_MS);
      this.timer.unref();
    }
  }

  private onMessage(m: JsMsg): void {
    let body: unknown;
    try {
      body = m.json();
    } catch {
      body = undefined;
    }
    const v = validateModelReleaseAnnouncement(body, this.site);
    if (!v.ok) {
      this.log.warn(`model release announcement refused: ${v.code}: ${v.detail}`);
      return;
    }
    // Only the newest announcement matters: a release superseded while another was being handled is skipped.
    this.next = v.value;
    this.working ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.next && !this.stopped) {
      const a = this.next;
      this.next = undefined;
      try {
        await this.take(a);
      } catch (e) {
        this.log.error(`model release ${a.version}: ${(e as Error).message}`);
      }
    }
    this.working = undefined;
  }

  private async take(a: ModelReleaseAnnouncementV1): Promise<void> {
    if (this.current?.announcement.version === a.version) return;
    const previous = await this.lastReportOf(a.version);
    if (previous?.state === 'rolled_back') {
      this.log.log(`model release ${a.version} was rolled back here before (${previous.code}); not trying it again`);
      this.last = previous;
      return;
    }
    if (this.current) {
      this.report(this.current.announcement.version, { state: 'rolled_back', code: 'superseded', reason: `release ${a.version} arrived during the shadow run`, stats: this.current.trial.stats() });
      this.abandon();
    }
    const active = this.registry.current();
    if (previous?.state === 'promoted' && active?.version === a.version && active.sha256 === a.sha256) {
      // restorePromoted has already verified and loaded this very release from MODEL_ACTIVE.
      this.last = previous;
      return;
    }
    const fetched = await this.fetch(a);
    if (!fetched.ok) {
      if (fetched.code === 'superseded') return;
      this.report(a.version, { state: 'rolled_back', code: fetched.code, reason: fetched.reason, stats: null });
      return;
    }
    if (previous?.state === 'promoted') {
      // Decided before a restart: run it again without a new shadow period.
      const r = await this.registry.activate(fetched.candidate);
      this.last = previous;
      if (r.status === 'refused') this.report(a.version, { state: 'rolled_back', code: r.refusal.code, reason: r.refusal.reason, stats: null });
      else this.log.log(`model release ${a.version}, promoted before, is active again`);
      return;
    }
    const p = await this.registry.prepare(fetched.candidate);
    if (p.status === 'refused') {
      this.report(a.version, { state: 'rolled_back', code: p.refusal.code, reason: `refused at the edge: ${p.refusal.reason}`, stats: null });
      return;
    }
    if (p.status === 'unchanged') {
      this.report(a.version, { state: 'promoted', code: 'already_active', reason: 'the site already runs this model', stats: null });
      return;
    }
    const base = this.registry.current();
    const renormalise = base && windowRenormaliser(windowSpecOf(base.card), windowSpecOf(p.prepared.model.card));
    if (!base || !renormalise) {
      this.registry.discard(p.prepared);
      this.report(a.version, { state: 'rolled_back', code: 'window_incompatible', reason: `the release needs other window features or length than ${base?.version ?? 'no model'}, so it cannot run in shadow on the same windows`, stats: null });
      return;
    }
    const trial = new ShadowTrial({ shadowMs: a.shadowMs, maxDisagreement: a.maxDisagreement, minWindows: MIN_SHADOW_WINDOWS }, Date.now());
    this.current = { announcement: a, chunks: fetched.chunks, prepared: p.prepared, trial };
    this.predictor.setShadow({
      candidate: { version: p.prepared.model.version, sha256: p.prepared.model.sha256, card: p.prepared.model.card, session: p.prepared.session },
      trial,
      base,
      renormalise,
    });
    this.report(a.version, { state: 'shadow', code: 'shadow_started', reason: `running beside ${base.version} for ${a.shadowMs} ms (limit ${a.maxDisagreement} cycles)`, stats: trial.stats() });
  }

  private async decide(): Promise<void> {
    const t = this.current;
    if (!t) return;
    const d = t.trial.decide(Date.now());
    if (d.kind === 'continue') return;
    this.current = undefined;
    this.predictor.setShadow(undefined);
    if (d.kind === 'rollback') {
      this.registry.discard(t.prepared);
      this.log.warn(`model release ${t.announcement.version} rolled back: ${d.reason}`);
      this.report(t.announcement.version, { state: 'rolled_back', code: d.code, reason: d.reason, stats: t.trial.stats() });
      return;
    }
    try {
      await this.registry.promote(t.prepared);
      await this.keepPromoted(t.announcement, t.chunks).catch((e: Error) => this.log.error(`promoted ${t.announcement.version} not kept for restarts: ${e.message}`));
      this.report(t.announcement.version, { state: 'promoted', code: d.code, reason: d.reason, stats: t.trial.stats() });
    } catch (e) {
      this.report(t.announcement.version, { state: 'rolled_back', code: 'promote_failed', reason: (e as Error).message, stats: t.trial.stats() });
    }
  }

  private abandon(): void {
    const t = this.current!;
    this.current = undefined;
    this.predictor.setShadow(undefined);
    this.registry.discard(t.prepared);
  }

  /**
   * Runs the release this site promoted last (MODEL_ACTIVE), verified again like any other, before
   * following the downlink: the file model the service started with may be older.
   */
  private async restorePromoted(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    // Keeps the promoted release and the last decision for good: one message per subject, no age limit.
    await ensureStream(jsm, boundedFileStream(Streams.modelActive.name, [Subjects.modelActiveOfSite(this.site), Subjects.modelDecision(this.site)], { maxMsgsPerSubject: 1 }));
    let a: ModelReleaseAnnouncementV1;
    try {
      a = (await jsm.streams.getMessage(Streams.modelActive.name, { last_by_subj: Subjects.modelActiveRelease(this.site) })).json<ModelReleaseAnnouncementV1>();
    } catch {
      return;
    }
    const fetched = await this.fetch(a, Streams.modelActive.name, (i) => Subjects.modelActiveChunk(this.site, i));
    if (!fetched.ok) {
      this.log.error(`the promoted release ${a.version} cannot be read back: ${fetched.reason}`);
      return;
    }
    const r = await this.registry.activate(fetched.candidate);
    if (r.status === 'refused') this.log.error(`the promoted release ${a.version} is refused now: ${r.refusal.code}: ${r.refusal.reason}`);
    else this.log.log(`running ${a.version}, the release this site promoted last`);
  }

  /**
   * Copies a promoted release into MODEL_ACTIVE, from the chunks fetched when its trial started: by
   * now the downlink may hold the next release's chunks under the same subjects.
   */
  private async keepPromoted(a: ModelReleaseAnnouncementV1, chunks: Uint8Array[]): Promise<void> {
    const js = this.nc.jetstream();
    for (const [i, data] of chunks.entries()) await js.publish(Subjects.modelActiveChunk(this.site, i), data, { msgID: `active.${a.version}.${i}` });
    await publishJsonDurably(js, Subjects.modelActiveRelease(this.site), a, `active.${a.version}.release`);
  }

  /** Reassembles the release's bundle from its chunks (in DOWNLINK_IN they were sourced before the announcement). */
  private async fetch(
    a: ModelReleaseAnnouncementV1,
    stream: string = Streams.downlinkIn.name,
    chunkSubject: (i: number) => string = (i) => Subjects.downlinkModelChunk(this.site, i),
  ): Promise<Fetched> {
    const jsm = await this.nc.jetstreamManager();
    const parts: Buffer[] = [];
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < a.chunks; i++) {
      let chunk: ModelReleaseChunkV1;
      try {
        const m = await jsm.streams.getMessage(stream, { last_by_subj: chunkSubject(i) });
        chunk = m.json<ModelReleaseChunkV1>();
        chunks.push(m.data);
      } catch (e) {
        return { ok: false, code: 'release_incomplete', reason: `chunk ${i + 1} of ${a.chunks} is missing: ${(e as Error).message}` };
      }
      if (chunk.version !== a.version) {
        return this.next ? { ok: false, code: 'superseded', reason: '' } : { ok: false, code: 'release_incomplete', reason: `chunk ${i + 1} belongs to release ${chunk.version}` };
      }
      parts.push(Buffer.from(chunk.data, 'base64'));
    }
    const bytes = Buffer.concat(parts);
    if (bytes.length !== a.bundleBytes || sha256Hex(bytes) !== a.bundleSha256) return { ok: false, code: 'release_incomplete', reason: 'the reassembled release does not match the announced size and sha256' };
    const b = decodeReleaseBundle(bytes);
    if (!b.ok) return { ok: false, code: 'release_invalid', reason: b.problem };
    return { ok: true, chunks, candidate: { ...b.files, origin: { kind: 'downlink', location: `${stream}/${a.version}` }, expected: { version: a.version, sha256: a.sha256 } } };
  }

  /**
   * The site's last decision, if it is about `version`: in this process the last report made, after
   * a restart the one kept in MODEL_ACTIVE (not SYNC_OUT, whose limits may have dropped it).
   */
  private async lastReportOf(version: string): Promise<ModelReleaseStatusV1 | null> {
    let r = this.last;
    if (!r) {
      try {
        r = (await (await this.nc.jetstreamManager()).streams.getMessage(Streams.modelActive.name, { last_by_subj: Subjects.modelDecision(this.site) })).json<ModelReleaseStatusV1>();
      } catch {
        return null;
      }
    }
    return r.version === version ? r : null;
  }

  /**
   * Keeps a state change as the site's last decision (MODEL_ACTIVE) and sends it up through
   * SYNC_OUT, each in order and retried until stored; one does not wait for the other.
   */
  private report(version: string, s: Status): void {
    const status: ModelReleaseStatusV1 = { site: this.site, version, ...s, activeVersion: this.registry.current()?.version ?? null, at: Date.now() };
    this.last = status;
    this.log.log(`model release ${version}: ${s.state} (${s.code}) ${s.reason}`);
    const id = `${version}.${s.state}.${status.at}`;
    this.decisions = this.decisions.then(() => this.store(Subjects.modelDecision(this.site), status, `model-decision.${id}`, `model decision for ${version} not kept yet`));
    this.reports = this.reports.then(() => this.store(Subjects.syncModelStatus(this.site), status, `model-status.${id}`, `model status for ${version} not in the outbox yet`));
  }

  private async store(subject: string, status: ModelReleaseStatusV1, msgId: string, what: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await publishJsonDurably(this.nc.jetstream(), subject, status, msgId);
        return;
      } catch (e) {
        if (this.stopped && attempt > 2) return;
        this.log.warn(`${what}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}
