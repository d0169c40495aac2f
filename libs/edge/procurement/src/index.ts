export * from './backoff.schedule';
export * from './circuit.breaker';
export * from './procurement.result';
export * from './supplier-client.options';
export * from './supplier.client';
export * from './procurement.module';
