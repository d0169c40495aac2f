import { startHttpService } from '@millwright/observability';
import { AppModule } from './app.module';
import { loadPredictorConfig } from './predictor.config';

startHttpService('predictor', () => {
  const c = loadPredictorConfig();
  return { module: AppModule.forConfig(c), host: c.HTTP_HOST, port: c.HTTP_PORT, title: 'Millwright predictor', description: 'Failure predictions with ONNX Runtime at the edge.' };
});
