export * from './console-api.schema';
