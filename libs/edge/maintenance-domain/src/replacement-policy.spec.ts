import { checkReplacementPolicy } from './replacement-policy';

const good = {
  assetClass: 'turbofan', partNumber: 'HPC-1', supplier: 'acme', leadTimeCycles: 20, safetyMarginCycles: 10, unitCost: 48000, currency: 'EUR',
  autoApproveLimit: 50000, approvalRequired: true, riskThreshold: 0.8, cycleMs: 3_600_000,
};

describe('checkReplacementPolicy', () => {
  it('accepts a complete policy and keeps only its known fields', () => {
    expect(checkReplacementPolicy({ ...good, note: 'ignored' })).toEqual({ ok: true, policy: good });
  });

  it('names the first bad field and what it must be', () => {
    expect(checkReplacementPolicy({ ...good, riskThreshold: 1.5 })).toEqual({ ok: false, field: 'riskThreshold', what: 'a number from 0 to 1' });
    expect(checkReplacementPolicy({ ...good, supplier: '' })).toMatchObject({ ok: false, field: 'supplier' });
    expect(checkReplacementPolicy({ ...good, approvalRequired: 'yes' })).toMatchObject({ ok: false, field: 'approvalRequired' });
    expect(checkReplacementPolicy(null)).toMatchObject({ ok: false, field: 'assetClass' });
  });
});
