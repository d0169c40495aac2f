import { advanceRollout, rolloutPlanProblems, type RolloutView } from './model-rollout.plan';

const stages = [['a'], ['b', 'c']];
const view = (currentStage: number, sites: RolloutView['sites']): RolloutView => ({ stages, currentStage, state: 'rolling_out', sites });

describe('staged rollout', () => {
  it('starts with the canary stage', () => {
    expect(advanceRollout(view(-1, {}))).toEqual({ state: 'rolling_out', currentStage: 0, release: ['a'], haltReason: null });
  });

  it('holds the next stage until every site of the current one promoted', () => {
    expect(advanceRollout(view(0, { a: { state: 'shadow' } })).release).toEqual([]);
    expect(advanceRollout(view(0, { a: { state: 'promoted' } }))).toEqual({ state: 'rolling_out', currentStage: 1, release: ['b', 'c'], haltReason: null });
    expect(advanceRollout(view(1, { a: { state: 'promoted' }, b: { state: 'promoted' }, c: { state: 'pending' } })).state).toBe('rolling_out');
    expect(advanceRollout(view(1, { a: { state: 'promoted' }, b: { state: 'promoted' }, c: { state: 'promoted' } })).state).toBe('completed');
  });

  it('stops at a rollback and never releases later stages', () => {
    const r = advanceRollout(view(0, { a: { state: 'rolled_back', code: 'shadow_errors' } }));
    expect(r).toEqual({ state: 'halted', currentStage: 0, release: [], haltReason: 'a rolled back (shadow_errors) in stage 1' });
    expect(advanceRollout({ ...view(0, {}), state: 'halted' }).release).toEqual([]);
  });

  it('names every problem of a requested plan', () => {
    expect(rolloutPlanProblems({ stages: [['a'], ['b', 'a']], shadowMs: 1000, maxDisagreement: 5 })).toEqual(['site a is in more than one stage']);
    expect(rolloutPlanProblems({ stages: [], shadowMs: -1, maxDisagreement: 'x' })).toHaveLength(3);
    expect(rolloutPlanProblems({ stages: [['a b']], shadowMs: 0, maxDisagreement: 0 })).toEqual(['stage 1: "a b" is not a site id']);
  });
});
