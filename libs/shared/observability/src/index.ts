export * from './metrics.registry';
export * from './health.registry';
export * from './observability.module';
export * from './api-error';
export * from './api-error.filter';
export * from './http-service.runner';
export * from './http-service.collector';
export * from './http-service.host';
