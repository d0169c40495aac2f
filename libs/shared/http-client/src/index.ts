export * from './http.client';
