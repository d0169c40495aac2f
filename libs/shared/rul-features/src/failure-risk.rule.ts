import type { FailureRiskRule } from './model-card.schema';

/**
 * Probability of failure within the rule's horizon, given the predicted RUL: a logistic curve in
 * the predicted RUL whose two constants were fitted on validation units (P(true RUL ≤ horizon |
 * predicted RUL)). The ONNX graph computes the same expression as its `failure_risk` output.
 */
export function failureRisk(predictedRul: number, rule: FailureRiskRule): number {
  return 1 / (1 + Math.exp(-(rule.intercept + rule.slope * predictedRul)));
}
