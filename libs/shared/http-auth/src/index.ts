export * from './api-tokens';
export * from './api-auth.guard';
export * from './api-auth.settings';
export * from './failed-attempts.limiter';
