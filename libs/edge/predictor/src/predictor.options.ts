import type { HealthThresholds } from '@millwright/predictor-domain';

export interface PredictorOptions {
  /** Base URL of the twin service, for history when a window must be rebuilt. */
  twinServiceUrl: string;
  /** Bearer token for the twin service's API (empty: none). */
  twinServiceToken?: string;
  /** Most windows in one inference run. */
  maxBatch: number;
  /** History fetches in flight at once (at start-up every asset needs one). */
  resyncConcurrency: number;
  thresholds: HealthThresholds;
  /** This site's id; set, the predictor takes staged model releases from DOWNLINK_IN and reports through SYNC_OUT. */
  site?: string;
}

export const PREDICTOR_OPTIONS = Symbol('PREDICTOR_OPTIONS');
