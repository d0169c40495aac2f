import type { WindowModelSpec } from './prediction.planner';

/** How a release is tried beside the running model before it replaces it. */
export interface ShadowPolicy {
  /** Time the candidate runs in shadow before a decision (ms). */
  shadowMs: number;
  /** Largest mean |RUL_active - RUL_candidate| in cycles that still promotes. */
  maxDisagreement: number;
  /** Windows both models must have predicted before the candidate can be promoted: no data, no evidence. */
  minWindows: number;
}

export interface ShadowStats {
  windows: number;
  errors: number;
  meanAbsDiff: number | null;
  maxAbsDiff: number | null;
}

export type ShadowDecision =
  | { kind: 'continue' }
  | { kind: 'promote'; code: 'promoted'; reason: string }
  | { kind: 'rollback'; code: 'shadow_errors' | 'disagreement'; reason: string };

/**
 * The evidence about one candidate model in shadow mode, and the decision it supports. An error (a
 * failed run, or any non-finite output) rolls back at once: a model that breaks on live data must
 * not wait out its shadow period. Otherwise, after `shadowMs` and at least `minWindows`, the mean
 * disagreement with the running model decides. Pure: the caller passes the clock.
 */
export class ShadowTrial {
  private windows = 0;
  private errors = 0;
  private sumAbsDiff = 0;
  private maxAbsDiff = 0;
  private firstError: string | null = null;

  constructor(
    readonly policy: ShadowPolicy,
    readonly startedAt: number,
  ) {}

  /** One batch predicted by both models (RUL per window, same order). */
  observe(active: ArrayLike<number>, candidate: ArrayLike<number>): void {
    if (active.length !== candidate.length) {
      this.observeError(`candidate returned ${candidate.length} values for ${active.length} windows`);
      return;
    }
    let bad = 0;
    for (let i = 0; i < active.length; i++) {
      const c = candidate[i];
      if (!Number.isFinite(c)) {
        bad++;
        continue;
      }
      // A non-finite active prediction says nothing about the candidate; skip the window.
      if (!Number.isFinite(active[i])) continue;
      const d = Math.abs(active[i] - c);
      this.windows++;
      this.sumAbsDiff += d;
      if (d > this.maxAbsDiff) this.maxAbsDiff = d;
    }
    if (bad > 0) this.observeError(`${bad} of ${active.length} candidate predictions were not finite`);
  }

  /** A batch the candidate failed on (inference threw). */
  observeError(message: string): void {
    this.errors++;
    this.firstError ??= message;
  }

  stats(): ShadowStats {
    return {
      windows: this.windows,
      errors: this.errors,
      meanAbsDiff: this.windows > 0 ? this.sumAbsDiff / this.windows : null,
      maxAbsDiff: this.windows > 0 ? this.maxAbsDiff : null,
    };
  }

  decide(now: number): ShadowDecision {
    if (this.errors > 0) return { kind: 'rollback', code: 'shadow_errors', reason: `candidate failed in shadow mode: ${this.firstError}` };
    if (now - this.startedAt < this.policy.shadowMs || this.windows < this.policy.minWindows) return { kind: 'continue' };
    const mean = this.sumAbsDiff / this.windows;
    const summary = `mean |RUL difference| ${mean.toFixed(2)} cycles over ${this.windows} windows (max ${this.maxAbsDiff.toFixed(2)}), limit ${this.policy.maxDisagreement}`;
    if (mean > this.policy.maxDisagreement) return { kind: 'rollback', code: 'disagreement', reason: summary };
    return { kind: 'promote', code: 'promoted', reason: summary };
  }
}

/**
 * Maps windows normalised for the running model onto the candidate's normalisation, so both run on
 * the very same readings. Null when the candidate needs other features or another window length:
 * then the windows at hand cannot be its input.
 */
export function windowRenormaliser(from: WindowModelSpec, to: WindowModelSpec): ((input: Float32Array) => Float32Array) | null {
  const f = from.features.length;
  if (from.length !== to.length || f !== to.features.length || from.features.some((n, i) => n !== to.features[i])) return null;
  const same = from.mean.every((m, i) => m === to.mean[i]) && from.std.every((s, i) => s === to.std[i]);
  if (same) return (input) => input;
  const scale = from.std.map((s, i) => s / to.std[i]);
  const shift = from.mean.map((m, i) => (m - to.mean[i]) / to.std[i]);
  return (input) => {
    const out = new Float32Array(input.length);
    for (let j = 0; j < input.length; j++) {
      const i = j % f;
      out[j] = input[j] * scale[i] + shift[i];
    }
    return out;
  };
}
