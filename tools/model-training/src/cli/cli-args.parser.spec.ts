import { intFlag, parseArgs } from './cli-args.parser';

const allowed = { train: ['subset', 'seed'], predict: ['cmapss'] };

describe('parseArgs', () => {
  it('reads the command and its flags', () => {
    const a = parseArgs(['train', '--subset', 'FD001', '--seed', '7'], allowed);
    expect(a.command).toBe('train');
    expect(intFlag(a.flags, 'seed', 42)).toBe(7);
    expect(intFlag(a.flags, 'epochs', 30)).toBe(30);
  });

  it('refuses unknown commands, flags of another command and missing values', () => {
    expect(() => parseArgs(['fit'], allowed)).toThrow(/train \| predict/);
    expect(() => parseArgs(['predict', '--seed', '1'], allowed)).toThrow(/predict takes --cmapss/);
    expect(() => parseArgs(['predict', '--cmapss'], allowed)).toThrow(/needs a value/);
    expect(() => intFlag(parseArgs(['train', '--seed', 'x'], allowed).flags, 'seed', 1)).toThrow(/integer/);
  });
});
