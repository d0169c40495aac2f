import { randomUUID } from 'node:crypto';
import type { PredictionV1 } from '@millwright/contracts';
import { needsApproval, propose, replacementNeed, transition, type ReplacementOrder } from '@millwright/maintenance-domain';
import type { MaintenanceSqliteStore, OutboxItem } from '@millwright/maintenance-data-access';
import { orderEvents } from './order-events.factory';

export type PlanOutcome = 'ordered' | 'awaiting_approval' | 'already_open' | 'no_need' | 'no_policy';

const SYSTEM = { kind: 'system', id: 'maintenance' } as const;

/**
 * Turns predictions into replacement orders. The decision and everything it implies (approval or
 * not, placing, the events) are committed together; the database's unique index on open orders is
 * what guarantees one order per asset, part and episode, not this code's checks.
 */
export class OrderPlanner {
  constructor(
    private readonly store: MaintenanceSqliteStore,
    private readonly clock: () => number = Date.now,
  ) {}

  onPrediction(p: PredictionV1, assetClass: string): PlanOutcome {
    if (p.status !== 'ok' || p.rul === undefined || p.failureRisk === undefined) return 'no_need';
    const policy = this.store.policy(assetClass);
    if (!policy) return 'no_policy';
    const need = replacementNeed({ rul: p.rul, failureRisk: p.failureRisk, modelVersion: p.modelVersion, basedOnSeq: p.basedOnSeq }, policy);
    if (!need) return 'no_need';
    const episode = this.store.episode(p.site, p.asset, policy.partNumber);
    if (this.store.openOrder(p.site, p.asset, policy.partNumber, episode)) return 'already_open';

    const now = this.clock();
    const evidence = { prediction: { rul: p.rul, failureRisk: p.failureRisk, basedOnSeq: p.basedOnSeq, at: p.at }, modelVersion: p.modelVersion, rule: need.reason };
    let order: ReplacementOrder = propose(
      {
        id: randomUUID(),
        site: p.site,
        asset: p.asset,
        assetClass,
        partNumber: policy.partNumber,
        supplier: policy.supplier,
        quantity: 1,
        unitCost: policy.unitCost,
        currency: policy.currency,
        episode,
        neededBy: p.at + Math.max(0, p.rul - policy.safetyMarginCycles) * policy.cycleMs,
        reason: need.detail,
        evidence,
      },
      now,
    );
    const approval = needsApproval(policy, order.quantity);
    if (approval) {
      order = transition(order, 'request_approval', SYSTEM, policy.approvalRequired ? 'policy requires staff approval' : `cost above the auto-approve limit ${policy.autoApproveLimit} ${policy.currency}`, now);
    } else {
      order = transition(order, 'approve', SYSTEM, `within the auto-approve limit ${policy.autoApproveLimit} ${policy.currency}`, now, evidence);
      order = transition(order, 'place', SYSTEM, `ordering from ${policy.supplier}`, now);
    }
    const work: OutboxItem[] = [...orderEvents(order, 1)];
    if (!approval) work.push({ kind: 'place_order', payload: {} });
    if (!this.store.createOrder(order, work, now)) return 'already_open';
    return approval ? 'awaiting_approval' : 'ordered';
  }
}
