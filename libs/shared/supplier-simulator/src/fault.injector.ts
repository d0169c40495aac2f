import type { SupplierFaults } from '@millwright/supplier-contracts';
import { seededRandom } from './seeded.random';

export type FaultKind = 'none' | 'fail' | 'timeout';

export interface FaultDecision {
  kind: FaultKind;
  /** The request is processed (an order may be recorded) before the fault hits its answer. */
  afterAccept: boolean;
}

/** The settings in force; the seed is not one of them, only a way to restart the sequence. */
export type FaultSettings = Omit<SupplierFaults, 'seed'>;

export const NO_FAULTS: FaultSettings = { failRate: 0, timeoutRate: 0, delayMs: 0, failAfterAccept: false, timeoutAfterAccept: false, retryAfterSeconds: 0 };

const MAX_DELAY_MS = 600_000;

/** Why a complete set of settings is inconsistent, or undefined when it is fine. */
export function faultSettingsProblem(f: FaultSettings): string | undefined {
  if (!(f.failRate >= 0 && f.failRate <= 1)) return 'failRate must be between 0 and 1';
  if (!(f.timeoutRate >= 0 && f.timeoutRate <= 1)) return 'timeoutRate must be between 0 and 1';
  // One draw decides both faults, so together they cannot exceed certainty.
  if (f.failRate + f.timeoutRate > 1) return 'failRate + timeoutRate must not exceed 1';
  if (!Number.isInteger(f.delayMs) || f.delayMs < 0 || f.delayMs > MAX_DELAY_MS) return `delayMs must be a whole number from 0 to ${MAX_DELAY_MS}`;
  if (!Number.isInteger(f.retryAfterSeconds) || f.retryAfterSeconds < 0) return 'retryAfterSeconds must be a whole number of at least 0';
  return undefined;
}

/**
 * Decides, per order request, whether the simulator misbehaves. Every request draws exactly one
 * number whatever the settings, so the n-th request of a seeded run always meets the same fate.
 */
export class FaultInjector {
  private settings: FaultSettings;
  private random: () => number;

  constructor(initial: Partial<FaultSettings> = {}, seed = 1) {
    this.settings = { ...NO_FAULTS, ...initial };
    const problem = faultSettingsProblem(this.settings);
    if (problem) throw new Error(problem);
    this.random = seededRandom(seed);
  }

  current(): FaultSettings {
    return { ...this.settings };
  }

  draw(): FaultDecision {
    const r = this.random();
    const f = this.settings;
    if (r < f.failRate) return { kind: 'fail', afterAccept: f.failAfterAccept };
    if (r < f.failRate + f.timeoutRate) return { kind: 'timeout', afterAccept: f.timeoutAfterAccept };
    return { kind: 'none', afterAccept: false };
  }

  /**
   * Applies a partial update from untrusted input (the `_faults` endpoint). Returns the new
   * settings, or why the update was refused; a refused update changes nothing.
   */
  update(raw: unknown): { ok: true; settings: FaultSettings } | { ok: false; message: string } {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, message: 'the body must be a JSON object' };
    const patch = raw as Record<string, unknown>;
    const next: Record<string, unknown> = { ...this.settings };
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'seed') continue;
      if (!(k in NO_FAULTS)) return { ok: false, message: `unknown field: ${k}` };
      if (typeof v !== typeof NO_FAULTS[k as keyof FaultSettings]) return { ok: false, message: `${k} must be a ${typeof NO_FAULTS[k as keyof FaultSettings]}` };
      next[k] = v;
    }
    const seed = patch.seed;
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed))) return { ok: false, message: 'seed must be a whole number' };
    const problem = faultSettingsProblem(next as FaultSettings);
    if (problem) return { ok: false, message: problem };
    this.settings = next as FaultSettings;
    if (seed !== undefined) this.random = seededRandom(seed);
    return { ok: true, settings: this.current() };
  }
}
