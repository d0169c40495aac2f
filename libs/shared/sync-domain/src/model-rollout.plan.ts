/** Where a release stands at one site, as the central platform records it. `waiting`: its stage has not started. */
export type SiteRolloutState = 'waiting' | 'pending' | 'shadow' | 'promoted' | 'rolled_back';
export type ReleaseRolloutState = 'rolling_out' | 'completed' | 'halted';

export interface RolloutView {
  /** Groups of sites in order; the first is the canary. */
  stages: readonly (readonly string[])[];
  /** Index of the stage released last; -1 before the first. */
  currentStage: number;
  state: ReleaseRolloutState;
  sites: Readonly<Record<string, { state: SiteRolloutState; code?: string | null }>>;
}

export interface RolloutStep {
  state: ReleaseRolloutState;
  currentStage: number;
  /** Sites to send the release to now (their stage has begun). */
  release: string[];
  haltReason: string | null;
}

/**
 * The staged rollout rule: a stage begins only when every site of the stages before it has
 * promoted the release, and a rollback anywhere stops the release where it is (later stages never
 * receive it). Pure, so the controller can run it after every status report and on a timer alike.
 */
export function advanceRollout(v: RolloutView): RolloutStep {
  if (v.state !== 'rolling_out') return { state: v.state, currentStage: v.currentStage, release: [], haltReason: null };
  for (let s = 0; s <= v.currentStage && s < v.stages.length; s++) {
    const failed = v.stages[s].find((site) => v.sites[site]?.state === 'rolled_back');
    if (failed) return { state: 'halted', currentStage: v.currentStage, release: [], haltReason: `${failed} rolled back (${v.sites[failed].code ?? 'unknown'}) in stage ${s + 1}` };
  }
  const done = v.currentStage < 0 || v.stages[v.currentStage].every((site) => v.sites[site]?.state === 'promoted');
  if (!done) return { state: 'rolling_out', currentStage: v.currentStage, release: [], haltReason: null };
  if (v.currentStage + 1 >= v.stages.length) return { state: 'completed', currentStage: v.currentStage, release: [], haltReason: null };
  return { state: 'rolling_out', currentStage: v.currentStage + 1, release: [...v.stages[v.currentStage + 1]], haltReason: null };
}

export interface RolloutPlanInput {
  stages: unknown;
  shadowMs: unknown;
  maxDisagreement: unknown;
}

const SITE_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_SHADOW_MS = 7 * 86_400_000;

/** Checks a requested plan; returns every problem at once. */
export function rolloutPlanProblems(p: RolloutPlanInput): string[] {
  const problems: string[] = [];
  if (!Array.isArray(p.stages) || p.stages.length === 0) problems.push('stages must be a non-empty array of non-empty site arrays');
  else {
    const seen = new Set<string>();
    p.stages.forEach((stage: unknown, i) => {
      if (!Array.isArray(stage) || stage.length === 0) return problems.push(`stage ${i + 1} must be a non-empty array of site ids`);
      for (const site of stage) {
        if (typeof site !== 'string' || !SITE_ID.test(site)) problems.push(`stage ${i + 1}: ${JSON.stringify(site)} is not a site id`);
        else if (seen.has(site)) problems.push(`site ${site} is in more than one stage`);
        else seen.add(site);
      }
      return undefined;
    });
  }
  if (typeof p.shadowMs !== 'number' || !Number.isSafeInteger(p.shadowMs) || p.shadowMs < 0 || p.shadowMs > MAX_SHADOW_MS) problems.push(`shadowMs must be an integer from 0 to ${MAX_SHADOW_MS}`);
  if (typeof p.maxDisagreement !== 'number' || !Number.isFinite(p.maxDisagreement) || p.maxDisagreement < 0) problems.push('maxDisagreement must be a number >= 0 (cycles)');
  return problems;
}
