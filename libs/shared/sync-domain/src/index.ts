export * from './delta.compactor';
export * from './delta.applier';
export * from './desired.merge';
export * from './desired.reconcile';
export * from './desired-document';
export * from './model-rollout.plan';
