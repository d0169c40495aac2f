export * from './asset-window.store';
export * from './health.rule';
export * from './held-readings.buffer';
export * from './prediction.planner';
export * from './shadow.trial';
export * from './reading-values';
