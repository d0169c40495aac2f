export * from './fault.injector';
export * from './seeded.random';
export * from './supplier-order.store';
export * from './supplier-stats.counter';
export * from './supplier-simulator.options';
export * from './supplier-simulator.module';
export * from './supplier-simulator.server';
