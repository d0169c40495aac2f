export * from './metrics.registry';
export * from './health.registry';
export * from './observability.module';
