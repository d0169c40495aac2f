export * from './asset-window.store';
export * from './health.rule';
export * from './prediction.planner';
