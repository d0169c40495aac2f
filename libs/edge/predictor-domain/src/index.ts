export * from './asset-window.store';
export * from './health.rule';
export * from './prediction.planner';
export * from './shadow.trial';
