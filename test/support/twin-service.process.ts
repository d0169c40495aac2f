import { startBuiltApp, type AppHandle } from './built-app.process';

export { builtApp } from './built-app.process';
export type TwinServiceHandle = AppHandle;

/** Starts the built twin service as its own process and waits until it is ready. */
export const startTwinService = (env: Record<string, string>): Promise<TwinServiceHandle> => startBuiltApp('twin-service', env);
