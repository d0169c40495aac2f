import type { HealthStatus } from '@millwright/contracts';

/** When a prediction turns an asset yellow or red. Per-asset-class policies refine these later. */
export interface HealthThresholds {
  warningRul: number;
  criticalRul: number;
  warningRisk: number;
  criticalRisk: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = { warningRul: 50, criticalRul: 20, warningRisk: 0.3, criticalRisk: 0.7 };

/** The worse of what the remaining life and the failure risk say. */
export function healthOf(rul: number, failureRisk: number, t: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS): HealthStatus {
  if (rul <= t.criticalRul || failureRisk >= t.criticalRisk) return 'critical';
  if (rul <= t.warningRul || failureRisk >= t.warningRisk) return 'warning';
  return 'ok';
}
