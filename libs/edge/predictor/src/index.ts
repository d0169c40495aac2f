export * from './predictor.options';
export * from './predictor.service';
export * from './predictor.module';
export * from './twin-history.client';
