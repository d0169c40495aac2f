import { Module, type DynamicModule } from '@nestjs/common';
import { parseTrustedKeys } from '@millwright/model-release';
import { ModelRegistry } from './model.registry';
import { ModelReleaseFollower } from './model-release.follower';
import { MODEL_REGISTRY_OPTIONS, modelRegistryOptionProblems, type ModelRegistryModuleOptions } from './model-registry.options';

/**
 * The edge's model registry: exports `ModelRegistry`. Loads `modelDir` at start and, with
 * `natsBucket`, follows releases (then NatsConnectionModule must be imported, it is global).
 * Bad options and malformed public keys fail the start.
 */
@Module({})
export class ModelRegistryModule {
  static forRoot(o: ModelRegistryModuleOptions): DynamicModule {
    return {
      module: ModelRegistryModule,
      // One registry per process: whoever runs the model and whoever reports on it see the same one.
      global: true,
      providers: [
        { provide: MODEL_REGISTRY_OPTIONS, useValue: o },
        {
          provide: ModelRegistry,
          useFactory: () => {
            const problems = modelRegistryOptionProblems(o);
            if (problems.length) throw new Error(`ModelRegistryModule: ${problems.join('; ')}`);
            return new ModelRegistry({ trustedKeys: parseTrustedKeys(o.publicKeys), retireGraceMs: o.retireGraceMs });
          },
        },
        ModelReleaseFollower,
      ],
      exports: [ModelRegistry],
    };
  }
}
