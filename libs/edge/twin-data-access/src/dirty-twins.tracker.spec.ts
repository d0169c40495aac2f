import { newTwin } from '@millwright/twin-domain';
import { DirtyTwinsTracker, type FlushPolicy } from './dirty-twins.tracker';

const policy: FlushPolicy = { flushDelayMs: 1000, maxDirty: 100, maxFlushPerCommit: 10 };
const none = new Set<string>();

function tracker(...marks: Array<[string, number, number]>) {
  const t = new DirtyTwinsTracker();
  for (const [key, logId, ms] of marks) t.mark(key, newTwin('s', key, 0), logId, ms);
  return t;
}

describe('DirtyTwinsTracker', () => {
  it('keeps the first mark of a twin marked again, with the newest twin object', () => {
    const t = tracker(['a', 5, 100]);
    const newer = newTwin('s', 'a', 1);
    t.mark('a', newer, 9, 200);
    expect(t.get('a')).toEqual({ twin: newer, sinceLogId: 5, sinceMs: 100 });
    expect(t.size).toBe(1);
  });

  it('plans the marks older than the flush delay, oldest first, and names the oldest left', () => {
    const t = tracker(['a', 1, 0], ['b', 4, 500], ['c', 8, 900]);
    const plan = t.plan(1500, policy, none, 0);
    expect(plan.due.map(([k]) => k)).toEqual(['a', 'b']);
    expect(plan.oldestLeft).toBe(8);
    // Planning changes nothing: the commit may still roll back.
    expect(t.size).toBe(3);
    expect(t.plan(5000, policy, none, 0)).toEqual({ due: expect.any(Array) });
  });

  it('skips marks the commit writes anyway, for the due list and for the oldest left', () => {
    const t = tracker(['a', 1, 0], ['b', 4, 900]);
    expect(t.plan(1500, policy, new Set(['a']), 0)).toEqual({ due: [], oldestLeft: 4 });
    expect(t.plan(1500, policy, new Set(['a', 'b']), 0)).toEqual({ due: [] });
  });

  it('writes young marks too while more than maxDirty would stay dirty, counting the marks the commit adds', () => {
    const t = tracker(['a', 1, 1000], ['b', 2, 1000], ['c', 3, 1000]);
    const small = { ...policy, maxDirty: 2 };
    expect(t.plan(1000, small, none, 0).due.map(([k]) => k)).toEqual(['a']);
    expect(t.plan(1000, small, none, 2).due.map(([k]) => k)).toEqual(['a', 'b', 'c']);
    // A key the commit writes anyway leaves the count too.
    expect(t.plan(1000, small, new Set(['b']), 0).due.map(([k]) => k)).toEqual([]);
  });

  it('writes at most maxFlushPerCommit marks in one commit', () => {
    const t = tracker(...Array.from({ length: 25 }, (_, i): [string, number, number] => [`a${i}`, i + 1, 0]));
    const plan = t.plan(10_000, policy, none, 0);
    expect(plan.due).toHaveLength(10);
    expect(plan.oldestLeft).toBe(11);
  });
});
