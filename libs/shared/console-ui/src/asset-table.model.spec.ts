import type { AssetRow } from '@millwright/console-contracts';
import { ago, queryRows, visibleWindow } from './asset-table.model';

const row = (asset: string, health: AssetRow['health'], rul: number | null): AssetRow => ({ site: 's1', asset, assetClass: 'turbofan', health, rul, risk: null, modelVersion: null, lastSeenAt: null, openOrder: null, version: 1 });
const rows = [row('pump-2', 'ok', 90), row('engine-1', 'critical', 5), row('engine-2', 'warning', 40), row('engine-3', 'unknown', null)];

describe('assets table model', () => {
  it('sorts worst health first, and RUL ascending with unknown RUL last', () => {
    expect(queryRows(rows, { search: '', health: '', sort: 'health', dir: 'asc' }).map((r) => r.asset)).toEqual(['engine-1', 'engine-2', 'pump-2', 'engine-3']);
    expect(queryRows(rows, { search: '', health: '', sort: 'rul', dir: 'asc' }).map((r) => r.rul)).toEqual([5, 40, 90, null]);
  });

  it('filters by search text and health', () => {
    expect(queryRows(rows, { search: 'ENGINE', health: 'warning', sort: 'asset', dir: 'asc' }).map((r) => r.asset)).toEqual(['engine-2']);
  });

  it('renders only the rows on screen', () => {
    expect(visibleWindow(0, 440, 44, 10_000, 0)).toEqual({ start: 0, end: 10 });
    expect(visibleWindow(44_000, 440, 44, 10_000, 2)).toEqual({ start: 998, end: 1012 });
    expect(visibleWindow(439_000, 1000, 44, 10_000, 8).end).toBe(10_000);
  });

  it('says how long ago', () => {
    expect([ago(null, 0), ago(0, 30_000), ago(0, 600_000), ago(0, 7_200_000)]).toEqual(['never', '30 s ago', '10 min ago', '2 h ago']);
  });
});
