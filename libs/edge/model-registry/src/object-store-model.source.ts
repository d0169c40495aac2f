import { Logger } from '@nestjs/common';
import type { KvEntry, NatsConnection, ObjectStore, QueuedIterator } from 'nats';
import { MODEL_CARD_FILE, MODEL_FILE, MODEL_SIGNATURE_FILE, decodeReleasePointer, releaseObjectName, type ReleaseFile, type ReleasePointer } from '@millwright/model-release';
import type { ModelRefusal } from './model-refusal';
import type { ModelCandidate, ModelOrigin } from './model-release.verifier';

export interface ObjectStoreSourceOptions {
  /** Object store bucket holding `<version>/model.onnx` etc. */
  bucket: string;
  /** KV bucket and key of the release pointer. */
  releaseBucket: string;
  releaseKey: string;
}

/** A release fetched from the object store, or why it could not be. */
export type FetchedRelease = { ok: true; candidate: ModelCandidate } | { ok: false; refusal: ModelRefusal; origin: ModelOrigin; version?: string };

/**
 * Watches the release pointer and fetches the release it names. The watch starts with the
 * pointer's current value, so an edge that was down during a release catches up on start. When
 * the pointer moves again while a release is being handled, only the newest pointer is handled
 * next: the edge should run what is current, not replay every release it missed.
 */
export class ObjectStoreModelSource {
  private readonly log = new Logger(ObjectStoreModelSource.name);
  private watcher?: QueuedIterator<KvEntry>;
  private os?: ObjectStore;
  private next?: KvEntry;
  private working?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly o: ObjectStoreSourceOptions,
  ) {}

  /** Opens (or creates) both buckets and starts watching; `onRelease` is awaited, one release at a time. */
  async start(onRelease: (r: FetchedRelease) => Promise<void>): Promise<void> {
    const js = this.nc.jetstream();
    this.os = await js.views.os(this.o.bucket);
    const kv = await js.views.kv(this.o.releaseBucket);
    this.watcher = await kv.watch({ key: this.o.releaseKey });
    const watcher = this.watcher;
    void (async () => {
      for await (const entry of watcher) {
        // A deleted pointer withdraws nothing: the edge keeps the model it has rather than stop predicting.
        if (entry.operation !== 'PUT') {
          this.log.warn(`release pointer ${this.o.releaseBucket}/${this.o.releaseKey} was ${entry.operation}; keeping the active model`);
          continue;
        }
        this.next = entry;
        this.working ??= this.drain(onRelease);
      }
    })().catch((e: Error) => this.log.error(`release watch ended: ${e.message}`));
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    this.next = undefined;
    await this.working;
  }

  /** Fetches the three objects of the release a pointer names. */
  async fetch(pointerBytes: Uint8Array): Promise<FetchedRelease> {
    const decoded = decodeReleasePointer(pointerBytes);
    const pointerOrigin: ModelOrigin = { kind: 'object-store', location: `${this.o.releaseBucket}/${this.o.releaseKey}` };
    if (!decoded.ok) return { ok: false, refusal: { code: 'release_invalid', reason: decoded.problem }, origin: pointerOrigin };
    const p: ReleasePointer = decoded.pointer;
    const origin: ModelOrigin = { kind: 'object-store', location: `${this.o.bucket}/${p.version}` };
    try {
      const [cardBytes, modelBytes, signature] = await Promise.all([this.object(p.version, MODEL_CARD_FILE), this.object(p.version, MODEL_FILE), this.object(p.version, MODEL_SIGNATURE_FILE)]);
      if (!cardBytes || !modelBytes) {
        return { ok: false, refusal: { code: 'release_incomplete', reason: `${!cardBytes ? MODEL_CARD_FILE : MODEL_FILE} is missing from ${origin.location}` }, origin, version: p.version };
      }
      const signatureText = signature ? new TextDecoder().decode(signature) : undefined;
      return { ok: true, candidate: { cardBytes, modelBytes, signatureText, origin, expected: { version: p.version, sha256: p.sha256 } } };
    } catch (e) {
      return { ok: false, refusal: { code: 'release_incomplete', reason: `fetching ${origin.location}: ${(e as Error).message}` }, origin, version: p.version };
    }
  }

  private async drain(onRelease: (r: FetchedRelease) => Promise<void>): Promise<void> {
    while (this.next) {
      const entry = this.next;
      this.next = undefined;
      try {
        await onRelease(await this.fetch(entry.value));
      } catch (e) {
        this.log.error(`handling release pointer revision ${entry.revision} failed: ${(e as Error).message}`);
      }
    }
    // Cleared right after the loop's last check, with no await in between, so a pointer arriving now starts a new drain.
    this.working = undefined;
  }

  private object(version: string, file: ReleaseFile): Promise<Uint8Array | null> {
    return this.os!.getBlob(releaseObjectName(version, file));
  }
}
