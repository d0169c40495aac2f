export * from './replacement-policy';
export * from './replacement-order';
