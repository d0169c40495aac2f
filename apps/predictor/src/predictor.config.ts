import { apiAuthSettings, apiClientSettings } from '@millwright/http-auth';
import { ConfigError, int, loadConfig, num, str, type ConfigOf } from '@millwright/config';
import { isValidId } from '@millwright/contracts';
import type { ModelRegistryModuleOptions } from '@millwright/model-registry';

/** Every setting of the predictor; the README's configuration table is checked against this. */
export const predictorSettings = {
  NATS_URL: str('NATS server(s) to connect to, comma-separated', { default: 'nats://127.0.0.1:4222' }),
  NATS_NKEY_SEED_FILE: str('File with this service\'s NATS nkey seed (a mounted Secret from `npm run provision`); empty: connect without credentials', { default: '' }),
  HTTP_HOST: str('Address of the health, metrics and model-status endpoints', { default: '0.0.0.0' }),
  HTTP_PORT: int('Port of /health, /metrics, /api/v1/model and /docs', { default: 8081, min: 0, max: 65535 }),
  TWIN_SERVICE_URL: str('Twin service base URL, for history when a window must be rebuilt', { default: 'http://127.0.0.1:8080' }),
  MODEL_DIR: str('Folder with model.onnx, model-card.json and optionally model-card.json.sig, loaded at start', { default: 'models/fd001' }),
  MODEL_BUCKET: str('NATS object store bucket to follow for signed model releases (empty: files only)', { default: '' }),
  MODEL_RELEASE_BUCKET: str('KV bucket holding the release pointer', { default: 'model-releases' }),
  MODEL_RELEASE_KEY: str('Key of the release pointer in MODEL_RELEASE_BUCKET', { default: 'current' }),
  MODEL_PUBLIC_KEYS: str('Trusted ed25519 public keys (base64 raw keys, comma-separated); with none, only an unsigned file model is accepted', { default: '' }),
  SITE_ID: str('This site\'s id: set it on a site with an uplink to take staged model releases from the central platform (shadow run, then promote or roll back; needs MODEL_PUBLIC_KEYS)', { default: '' }),
  PREDICT_MAX_BATCH: int('Most windows in one inference run', { default: 256, min: 1, max: 4096 }),
  PREDICT_RESYNC_CONCURRENCY: int('History fetches in flight when windows are rebuilt', { default: 8, min: 1, max: 256 }),
  HEALTH_WARNING_RUL: num('Remaining life (cycles) at or below which an asset is in warning', { default: 50, min: 0 }),
  HEALTH_CRITICAL_RUL: num('Remaining life (cycles) at or below which an asset is critical', { default: 20, min: 0 }),
  HEALTH_WARNING_RISK: num('Failure risk at or above which an asset is in warning', { default: 0.3, min: 0, max: 1 }),
  HEALTH_CRITICAL_RISK: num('Failure risk at or above which an asset is critical', { default: 0.7, min: 0, max: 1 }),
  ...apiAuthSettings,
  ...apiClientSettings,
};

export type PredictorConfig = ConfigOf<typeof predictorSettings>;

/** The settings each read alone may be fine but cannot work together: refused at start, all named at once. */
export function loadPredictorConfig(env: NodeJS.ProcessEnv = process.env): PredictorConfig {
  const c = loadConfig(predictorSettings, env);
  const problems: string[] = [];
  if (c.SITE_ID && !isValidId(c.SITE_ID)) problems.push(`SITE_ID=${JSON.stringify(c.SITE_ID)}: must be 1-64 of [A-Za-z0-9_-] (it is part of NATS subjects)`);
  if (c.SITE_ID && modelPublicKeys(c).length === 0) {
    problems.push('SITE_ID is set (staged model releases from the central platform) but MODEL_PUBLIC_KEYS is empty: every release would be refused as untrusted_key; set the trusted keys, or leave SITE_ID empty');
  }
  if (c.SITE_ID && c.MODEL_BUCKET) {
    problems.push('MODEL_BUCKET and SITE_ID cannot both be set: the object-store release pointer activates models directly, racing the staged rollout (shadow run) that SITE_ID follows; set one of them');
  }
  if (problems.length) throw new ConfigError(problems);
  return c;
}

export const modelPublicKeys = (c: PredictorConfig): string[] => c.MODEL_PUBLIC_KEYS.split(',').map((k) => k.trim()).filter(Boolean);

/** The model registry's options from the predictor's settings (checked again by the registry at start). */
export const modelRegistryOptionsOf = (c: PredictorConfig): ModelRegistryModuleOptions => ({
  modelDir: c.MODEL_DIR,
  natsBucket: c.MODEL_BUCKET || undefined,
  releaseBucket: c.MODEL_RELEASE_BUCKET,
  releaseKey: c.MODEL_RELEASE_KEY,
  publicKeys: modelPublicKeys(c),
  stagedReleases: c.SITE_ID !== '',
});
