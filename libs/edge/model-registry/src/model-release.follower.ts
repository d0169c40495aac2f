import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { NATS_CONNECTION } from '@millwright/messaging';
import type { NatsConnection } from 'nats';
import { readFileModel } from './file-model.source';
import { ModelRegistry } from './model.registry';
import { MODEL_REGISTRY_OPTIONS, releaseLocation, type ModelRegistryModuleOptions } from './model-registry.options';
import { ObjectStoreModelSource, type FetchedRelease } from './object-store-model.source';

/**
 * Feeds the registry: the file model at start (a refused file model fails the start, since the
 * operator asked for that model), then every release announced in the object store.
 */
@Injectable()
export class ModelReleaseFollower implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ModelReleaseFollower.name);
  private source?: ObjectStoreModelSource;

  constructor(
    private readonly registry: ModelRegistry,
    @Inject(MODEL_REGISTRY_OPTIONS) private readonly o: ModelRegistryModuleOptions,
    @Optional() @Inject(NATS_CONNECTION) private readonly nc?: NatsConnection,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.o.natsBucket && !this.nc) throw new Error('ModelRegistryModule: natsBucket is set but no NATS_CONNECTION is provided (import NatsConnectionModule)');
    if (!this.o.modelDir) return;
    const result = await this.registry.activate(await readFileModel(this.o.modelDir));
    if (result.status === 'refused') throw new Error(`model in ${this.o.modelDir} refused: ${result.refusal.code}: ${result.refusal.reason}`);
  }

  async onApplicationBootstrap(): Promise<void> {
    const where = releaseLocation(this.o);
    if (!where || !this.nc) return;
    this.source = new ObjectStoreModelSource(this.nc, where);
    await this.source.start((r) => this.onRelease(r));
    this.log.log(`following model releases at ${where.releaseBucket}/${where.releaseKey} (objects in ${where.bucket})`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.source?.stop();
    await this.registry.close();
  }

  private async onRelease(r: FetchedRelease): Promise<void> {
    if (r.ok) await this.registry.activate(r.candidate);
    else this.registry.recordRefusal(r.refusal, { origin: r.origin, version: r.version });
  }
}
