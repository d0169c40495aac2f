import { DEFAULT_RELEASE_BUCKET, DEFAULT_RELEASE_KEY } from '@millwright/model-release';

export interface ModelRegistryModuleOptions {
  /** Directory with model.onnx, model-card.json and (when signed) model-card.json.sig, loaded at start; start fails if it is refused. */
  modelDir?: string;
  /** Object store bucket the central platform publishes releases to; set it to follow releases. Needs NatsConnectionModule. */
  natsBucket?: string;
  /** KV bucket of the release pointer; default `model-releases`. */
  releaseBucket?: string;
  /** Key of the release pointer in `releaseBucket`; default `current` (one per asset class later). */
  releaseKey?: string;
  /**
   * Releases also reach this registry from the central platform's staged rollout (the predictor
   * with a site id, from DOWNLINK_IN). They are only accepted signed, so this needs public keys; and
   * it excludes `natsBucket`, whose release pointer would activate models directly, racing it.
   */
  stagedReleases?: boolean;
  /** Trusted Ed25519 public keys, each raw base64 (32 bytes) or SPKI PEM; several while rotating keys. */
  publicKeys: string[];
  /** How long a replaced session stays open for batches that captured it (ms); default 10 s. */
  retireGraceMs?: number;
}

export const MODEL_REGISTRY_OPTIONS = Symbol('MODEL_REGISTRY_OPTIONS');

/** Settings that cannot work together, named all at once; empty when the options are usable. */
export function modelRegistryOptionProblems(o: ModelRegistryModuleOptions): string[] {
  const problems: string[] = [];
  if (!o.modelDir && !o.natsBucket) problems.push('set modelDir, natsBucket or both: otherwise there is never a model');
  if (o.natsBucket && o.publicKeys.length === 0) problems.push('natsBucket needs at least one public key: releases from the network are only accepted signed');
  if (o.stagedReleases && o.publicKeys.length === 0) problems.push('stagedReleases needs at least one public key: staged releases are only accepted signed, so every one would be refused');
  if (o.stagedReleases && o.natsBucket) problems.push('set natsBucket or stagedReleases, not both: the release pointer would activate models directly, racing the staged rollout');
  return problems;
}

export function releaseLocation(o: ModelRegistryModuleOptions): { bucket: string; releaseBucket: string; releaseKey: string } | undefined {
  if (!o.natsBucket) return undefined;
  return { bucket: o.natsBucket, releaseBucket: o.releaseBucket ?? DEFAULT_RELEASE_BUCKET, releaseKey: o.releaseKey ?? DEFAULT_RELEASE_KEY };
}
