import { startBuiltApp, type AppHandle } from './built-app.process';

export type PredictorHandle = AppHandle;

/** Starts the built predictor as its own process and waits until it is ready. */
export const startPredictor = (env: Record<string, string>): Promise<PredictorHandle> => startBuiltApp('predictor', env);
