export * from './asset-twin';
export * from './reading-apply';
export * from './merge-patch';
export * from './twin-domain.error';
export * from './prediction-apply';
