import { OrderTransitionError, isOpen, propose, transition, type Actor, type OrderAction, type ReplacementOrder } from './replacement-order';
import { needsApproval, replacementNeed, type ReplacementPolicy } from './replacement-policy';

const system: Actor = { kind: 'system', id: 'maintenance' };
const ann: Actor = { kind: 'staff', id: 'ann' };
const order = (): ReplacementOrder =>
  propose({ id: 'o1', site: 's', asset: 'a', assetClass: 'turbofan', partNumber: 'HPC-1', supplier: 'acme', quantity: 1, unitCost: 900, currency: 'EUR', episode: 0, neededBy: 0, reason: 'rul', evidence: { modelVersion: 'm1' } }, 1);

describe('replacement order lifecycle', () => {
  it('walks the whole happy path with an audit entry per step', () => {
    const steps: Array<[OrderAction, Actor]> = [['request_approval', system], ['approve', ann], ['place', system], ['confirm', { kind: 'supplier', id: 'acme' }], ['ship', { kind: 'supplier', id: 'acme' }], ['receive', ann], ['install', ann]];
    let o = order();
    for (const [action, actor] of steps) o = transition(o, action, actor, `${action} it`, 2);
    expect(o.state).toBe('installed');
    expect(isOpen(o.state)).toBe(false);
    expect(o.audit.map((e) => `${e.from ?? '-'}>${e.to}:${e.actor.id}`)).toEqual([
      '->proposed:maintenance', 'proposed>awaiting_approval:maintenance', 'awaiting_approval>approved:ann', 'approved>placed:maintenance',
      'placed>confirmed:acme', 'confirmed>shipped:acme', 'shipped>received:ann', 'received>installed:ann',
    ]);
  });

  it.each<[OrderAction, string]>([['install', 'proposed'], ['place', 'proposed'], ['approve', 'installed'], ['confirm', 'approved']])('refuses to %s an order that is %s', (action, state) => {
    const o = { ...order(), state } as ReplacementOrder;
    expect(() => transition(o, action, ann, 'x', 2)).toThrow(expect.objectContaining({ code: 'illegal_transition' }));
  });

  it('asks staff for a reason when they reject or cancel', () => {
    expect(() => transition(order(), 'reject', ann, ' ', 2)).toThrow(OrderTransitionError);
    expect(transition(order(), 'reject', ann, 'engine is being retired', 2).state).toBe('rejected');
  });

  it('never changes the order it was given', () => {
    const o = order();
    transition(o, 'approve', ann, 'ok', 2);
    expect(o.state).toBe('proposed');
    expect(o.audit).toHaveLength(1);
  });
});

describe('replacement need and approval', () => {
  const policy: ReplacementPolicy = { assetClass: 'turbofan', partNumber: 'HPC-1', supplier: 'acme', leadTimeCycles: 20, safetyMarginCycles: 10, unitCost: 900, currency: 'EUR', autoApproveLimit: 1000, approvalRequired: false, riskThreshold: 0.6, cycleMs: 3_600_000 };
  const p = (rul: number, failureRisk = 0) => ({ rul, failureRisk, modelVersion: 'm1', basedOnSeq: 7 });

  it('needs a part once RUL no longer covers lead time and margin, or risk is high', () => {
    expect(replacementNeed(p(31), policy)).toBeNull();
    expect(replacementNeed(p(30), policy)).toMatchObject({ reason: 'rul_within_lead_time' });
    expect(replacementNeed(p(80, 0.7), policy)).toMatchObject({ reason: 'failure_risk_above_threshold' });
  });

  it('auto-approves within the limit unless policy always wants staff', () => {
    expect(needsApproval(policy)).toBe(false);
    expect(needsApproval(policy, 2)).toBe(true);
    expect(needsApproval({ ...policy, approvalRequired: true })).toBe(true);
  });
});
