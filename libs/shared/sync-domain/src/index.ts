export * from './merge-patch.compose';
export * from './delta.compactor';
export * from './delta.applier';
export * from './desired.merge';
