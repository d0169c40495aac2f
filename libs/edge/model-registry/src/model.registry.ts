import { Logger } from '@nestjs/common';
import type { InferenceSession } from 'onnxruntime-node';
import type { TrustedKey } from '@millwright/model-release';
import { loadModelSession } from './onnx-model.loader';
import type { ModelRefusal, ModelRefusalRecord } from './model-refusal';
import { signaturePolicyFor, verifyModelRelease, type ModelCandidate, type ModelOrigin, type VerifiedModel } from './model-release.verifier';
import type { RulModelHandle } from './rul-model.runner';
import { SessionRetirer } from './model-session.retirer';

export interface ActiveModel extends RulModelHandle {
  readonly cardSha256: string;
  readonly signedBy: string | null;
  readonly origin: ModelOrigin;
  readonly activatedAt: Date;
}

/** A counted use of a model: the session stays open until `release()`, even if a newer model is activated meanwhile. */
export interface ModelLease {
  readonly model: ActiveModel;
  release(): void;
}

export type ActivationResult =
  | { status: 'activated'; model: ActiveModel }
  /** The candidate is the model already running (e.g. the release pointer names the model loaded from file). */
  | { status: 'unchanged'; model: ActiveModel }
  | { status: 'refused'; refusal: ModelRefusalRecord };

/** A candidate verified and loaded but not serving: for a shadow run before it replaces the active model. */
export interface PreparedModel {
  readonly model: VerifiedModel;
  readonly session: InferenceSession;
}

export type PreparationResult = { status: 'prepared'; prepared: PreparedModel } | { status: 'unchanged'; model: ActiveModel } | { status: 'refused'; refusal: ModelRefusalRecord };

export type ModelRegistryEvent = { type: 'activated'; model: ActiveModel; previousVersion: string | null } | { type: 'refused'; refusal: ModelRefusalRecord };

export interface ModelRegistryStatus {
  active: { version: string; sha256: string; signedBy: string | null; origin: string; activatedAt: Date } | null;
  lastRefusal: ModelRefusalRecord | null;
  /** Newest last, at most `REFUSALS_KEPT`. */
  recentRefusals: ModelRefusalRecord[];
  activations: number;
  refusals: number;
}

export interface ModelRegistryOptions {
  trustedKeys: readonly TrustedKey[];
  /** How long a replaced session stays open for callers that captured it without a lease (ms). */
  retireGraceMs?: number;
  now?: () => Date;
}

const REFUSALS_KEPT = 20;
const DEFAULT_RETIRE_GRACE_MS = 10_000;

const describeOrigin = (o: ModelOrigin) => `${o.kind}:${o.location}`;

/**
 * Holds the model the edge predicts with, and replaces it without a restart. A candidate becomes
 * active only after it is verified, loaded and has run a smoke inference; until then, and if any
 * step fails, the running model keeps serving. Activations run one at a time, in arrival order.
 */
export class ModelRegistry {
  private readonly log = new Logger(ModelRegistry.name);
  private readonly retirer: SessionRetirer;
  private readonly listeners = new Set<(e: ModelRegistryEvent) => void>();
  private readonly refusalLog: ModelRefusalRecord[] = [];
  private active: ActiveModel | undefined;
  private activations = 0;
  private refusals = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: ModelRegistryOptions) {
    this.retirer = new SessionRetirer(o.retireGraceMs ?? DEFAULT_RETIRE_GRACE_MS);
  }

  /**
   * The model to use now. Capture it once per micro-batch and use that capture for the whole batch:
   * a swap meanwhile does not affect it, and its session stays open for `retireGraceMs` after a
   * swap. For work that may take longer, use `acquire()`.
   */
  current(): ActiveModel | undefined {
    return this.active;
  }

  /** The current model, held open until the lease is released; undefined before the first activation. */
  acquire(): ModelLease | undefined {
    const model = this.active;
    if (!model) return undefined;
    return { model, release: this.retirer.lease(model.session) };
  }

  activate(candidate: ModelCandidate): Promise<ActivationResult> {
    return this.enqueue(() => this.activateNow(candidate));
  }

  /**
   * Verifies and loads a candidate exactly as `activate` does, without making it active: the caller
   * runs it beside the active model and then calls `promote` or `discard`.
   */
  prepare(candidate: ModelCandidate): Promise<PreparationResult> {
    return this.enqueue(() => this.prepareNow(candidate));
  }

  /** Makes a prepared model the active one (the replaced session retires as in `activate`). */
  promote(prepared: PreparedModel): Promise<ActiveModel> {
    return this.enqueue(() => {
      if (this.closed) throw new Error('model registry is closed');
      return this.swap(prepared.model, prepared.session);
    });
  }

  /** Releases a prepared model that will not be promoted; its last shadow batch may still hold it, hence the grace. */
  discard(prepared: PreparedModel): void {
    this.retirer.retire(prepared.session);
  }

  /** Records a release that failed before it could become a candidate (unreadable pointer, missing objects). */
  recordRefusal(refusal: ModelRefusal, context: { origin: ModelOrigin; version?: string }): ModelRefusalRecord {
    const record: ModelRefusalRecord = { ...refusal, version: context.version, origin: describeOrigin(context.origin), at: this.now() };
    this.refusals++;
    this.refusalLog.push(record);
    if (this.refusalLog.length > REFUSALS_KEPT) this.refusalLog.shift();
    this.log.warn(`refused model ${record.version ?? '(unknown version)'} from ${record.origin}: ${record.code}: ${record.reason}; still serving ${this.active?.version ?? 'no model'}`);
    this.emit({ type: 'refused', refusal: record });
    return record;
  }

  status(): ModelRegistryStatus {
    const a = this.active;
    return {
      active: a ? { version: a.version, sha256: a.sha256, signedBy: a.signedBy, origin: describeOrigin(a.origin), activatedAt: a.activatedAt } : null,
      lastRefusal: this.refusalLog[this.refusalLog.length - 1] ?? null,
      recentRefusals: [...this.refusalLog],
      activations: this.activations,
      refusals: this.refusals,
    };
  }

  /** Calls `listener` after every activation and refusal; returns the unsubscribe function. */
  onChange(listener: (e: ModelRegistryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Shutdown: waits for a running activation, then releases every session. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const last = this.active;
    this.active = undefined;
    await this.retirer.releaseAll();
    await last?.session.release().catch(() => undefined);
  }

  /** For health checks and tests: whether a session is still in use after being replaced. */
  isSessionRetiring(session: InferenceSession): boolean {
    return this.retirer.isRetiring(session);
  }

  private async prepareNow(candidate: ModelCandidate): Promise<PreparationResult> {
    if (this.closed) throw new Error('model registry is closed');
    const verified = verifyModelRelease(candidate, signaturePolicyFor(candidate.origin, this.o.trustedKeys));
    if (!verified.ok) return { status: 'refused', refusal: this.recordRefusal(verified.refusal, { origin: candidate.origin, version: verified.version }) };
    const running = this.active;
    if (running && running.sha256 === verified.model.sha256 && running.cardSha256 === verified.model.cardSha256) return { status: 'unchanged', model: running };
    const loaded = await loadModelSession(verified.model);
    if (!loaded.ok) return { status: 'refused', refusal: this.recordRefusal(loaded.refusal, { origin: candidate.origin, version: verified.model.version }) };
    return { status: 'prepared', prepared: { model: verified.model, session: loaded.session } };
  }

  private async activateNow(candidate: ModelCandidate): Promise<ActivationResult> {
    const p = await this.prepareNow(candidate);
    return p.status === 'prepared' ? { status: 'activated', model: this.swap(p.prepared.model, p.prepared.session) } : p;
  }

  /** Runs `fn` after every earlier activation, preparation and promotion; a failure does not stop later ones. */
  private enqueue<T>(fn: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private swap(model: VerifiedModel, session: InferenceSession): ActiveModel {
    const next: ActiveModel = {
      version: model.version,
      sha256: model.sha256,
      cardSha256: model.cardSha256,
      card: model.card,
      session,
      signedBy: model.signedBy,
      origin: model.origin,
      activatedAt: this.now(),
    };
    const previous = this.active;
    this.active = next;
    this.activations++;
    if (previous) this.retirer.retire(previous.session);
    const trust = next.signedBy ? `signed by key ${next.signedBy}` : 'UNSIGNED (no public keys configured; accepted on sha256 only)';
    this.log.log(`model ${next.version} (sha256 ${next.sha256.slice(0, 12)}, ${trust}) from ${describeOrigin(next.origin)} is active${previous ? `, replacing ${previous.version}` : ''}`);
    this.emit({ type: 'activated', model: next, previousVersion: previous?.version ?? null });
    return next;
  }

  private emit(e: ModelRegistryEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error(`model registry listener failed: ${(err as Error).message}`);
      }
    }
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }
}
