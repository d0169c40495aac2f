import { ApiAuthModule, apiAuthOptions } from '@millwright/http-auth';
import { Module, type DynamicModule } from '@nestjs/common';
import { NatsConnectionModule } from '@millwright/messaging';
import { ModelRegistryModule } from '@millwright/model-registry';
import { ObservabilityModule } from '@millwright/observability';
import { PredictorModule } from '@millwright/predictor';
import { modelRegistryOptionsOf, type PredictorConfig } from './predictor.config';

@Module({})
export class AppModule {
  static forConfig(c: PredictorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: 'predictor' }),
        NatsConnectionModule.forRoot({ servers: c.NATS_URL, name: 'millwright-predictor', nkeySeedFile: c.NATS_NKEY_SEED_FILE }),
        ApiAuthModule.forRoot(apiAuthOptions(c), 'predictor'),
        ModelRegistryModule.forRoot(modelRegistryOptionsOf(c)),
        PredictorModule.forRoot({
          twinServiceUrl: c.TWIN_SERVICE_URL,
          twinServiceToken: c.API_CLIENT_TOKEN,
          maxBatch: c.PREDICT_MAX_BATCH,
          resyncConcurrency: c.PREDICT_RESYNC_CONCURRENCY,
          site: c.SITE_ID,
          thresholds: { warningRul: c.HEALTH_WARNING_RUL, criticalRul: c.HEALTH_CRITICAL_RUL, warningRisk: c.HEALTH_WARNING_RISK, criticalRisk: c.HEALTH_CRITICAL_RISK },
        }),
      ],
    };
  }
}
