import { Module, type DynamicModule } from '@nestjs/common';
import { PREDICTOR_OPTIONS, type PredictorOptions } from './predictor.options';
import { PredictorService } from './predictor.service';
import { ModelStatusHttpController } from './model-status.http.controller';
import { ModelRolloutService } from './model-rollout.service';

/**
 * The predictor. The app supplies the model registry, the NATS connection and observability; this
 * module decides what to predict, runs the current model and publishes predictions.
 */
@Module({})
export class PredictorModule {
  static forRoot(o: PredictorOptions): DynamicModule {
    return {
      module: PredictorModule,
      controllers: [ModelStatusHttpController],
      providers: [{ provide: PREDICTOR_OPTIONS, useValue: o }, PredictorService, ModelRolloutService],
      exports: [PredictorService],
    };
  }
}
