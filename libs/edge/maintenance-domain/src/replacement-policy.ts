/**
 * How an asset class is kept running: which part to replace, where it comes from, how long it takes
 * to arrive, and who must agree before money is spent. Lead time and margin are in the model's
 * cycles (for C-MAPSS engines, one cycle is one flight), so they compare directly with RUL.
 */
export interface ReplacementPolicy {
  assetClass: string;
  partNumber: string;
  supplier: string;
  leadTimeCycles: number;
  safetyMarginCycles: number;
  unitCost: number;
  currency: string;
  /** Orders costing at most this are approved automatically (unless approval is always required). */
  autoApproveLimit: number;
  /** When true, staff approve every order whatever it costs. */
  approvalRequired: boolean;
  /** Failure risk at or above which a replacement is needed even if the RUL still looks long. */
  riskThreshold: number;
  /** Wall-clock length of one cycle (ms), to turn RUL into the date the part is needed by. */
  cycleMs: number;
}

export interface PredictionFacts {
  rul: number;
  failureRisk: number;
  modelVersion: string;
  basedOnSeq: number;
}

/** Why a prediction became a replacement need, recorded in the order's audit trail. */
export interface ReplacementNeed {
  reason: 'rul_within_lead_time' | 'failure_risk_above_threshold';
  detail: string;
}

/**
 * A part must be ordered when the predicted remaining life no longer covers the lead time plus the
 * safety margin, or when the failure risk alone is too high.
 */
export function replacementNeed(p: PredictionFacts, policy: ReplacementPolicy): ReplacementNeed | null {
  const window = policy.leadTimeCycles + policy.safetyMarginCycles;
  if (p.rul <= window) {
    return { reason: 'rul_within_lead_time', detail: `RUL ${p.rul} cycles <= lead time ${policy.leadTimeCycles} + margin ${policy.safetyMarginCycles} (model ${p.modelVersion}, reading ${p.basedOnSeq})` };
  }
  if (p.failureRisk >= policy.riskThreshold) {
    return { reason: 'failure_risk_above_threshold', detail: `failure risk ${p.failureRisk} >= ${policy.riskThreshold} (model ${p.modelVersion}, reading ${p.basedOnSeq})` };
  }
  return null;
}

/** Whether staff must approve an order of `quantity` parts under this policy. */
export function needsApproval(policy: ReplacementPolicy, quantity = 1): boolean {
  return policy.approvalRequired || policy.unitCost * quantity > policy.autoApproveLimit;
}

export type PolicyCheck = { ok: true; policy: ReplacementPolicy } | { ok: false; field: string; what: string };

/**
 * Checks a policy document field by field, wherever it comes from (staff over HTTP, the central
 * platform over the downlink, the file shipped with the site); each caller turns a refusal into its
 * own answer (a 400, a dead letter, a failed start).
 */
export function checkReplacementPolicy(raw: unknown): PolicyCheck {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const strOk = (f: string) => typeof r[f] === 'string' && (r[f] as string).length > 0 && (r[f] as string).length <= 64;
  const numOk = (f: string, min: number, max: number) => typeof r[f] === 'number' && Number.isFinite(r[f]) && (r[f] as number) >= min && (r[f] as number) <= max;
  for (const f of ['assetClass', 'partNumber', 'supplier', 'currency']) if (!strOk(f)) return { ok: false, field: f, what: 'a string of 1-64 characters' };
  const numbers: Array<[string, number, number]> = [
    ['leadTimeCycles', 0, Number.MAX_SAFE_INTEGER],
    ['safetyMarginCycles', 0, Number.MAX_SAFE_INTEGER],
    ['unitCost', 0, Number.MAX_SAFE_INTEGER],
    ['autoApproveLimit', 0, Number.MAX_SAFE_INTEGER],
    ['riskThreshold', 0, 1],
    ['cycleMs', 1, Number.MAX_SAFE_INTEGER],
  ];
  for (const [f, min, max] of numbers) if (!numOk(f, min, max)) return { ok: false, field: f, what: `a number from ${min} to ${max}` };
  if (typeof r.approvalRequired !== 'boolean') return { ok: false, field: 'approvalRequired', what: 'true or false' };
  return {
    ok: true,
    policy: {
      assetClass: r.assetClass as string,
      partNumber: r.partNumber as string,
      supplier: r.supplier as string,
      leadTimeCycles: r.leadTimeCycles as number,
      safetyMarginCycles: r.safetyMarginCycles as number,
      unitCost: r.unitCost as number,
      currency: r.currency as string,
      autoApproveLimit: r.autoApproveLimit as number,
      approvalRequired: r.approvalRequired,
      riskThreshold: r.riskThreshold as number,
      cycleMs: r.cycleMs as number,
    },
  };
}
