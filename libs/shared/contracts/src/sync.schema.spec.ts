import { parseSyncSubject, Subjects } from './subjects';
import { validateModelReleaseAnnouncement, validateModelReleaseStatus } from './sync.schema';

describe('model release status reports', () => {
  const report = { site: 's1', version: 'fd001-v2', state: 'rolled_back', code: 'shadow_errors', reason: 'NaN', stats: { windows: 3, errors: 1, meanAbsDiff: 0, maxAbsDiff: 0 }, activeVersion: 'fd001-v1', at: 1 };

  it('travel on their own sync subject kind', () => {
    expect(parseSyncSubject(Subjects.syncModelStatus('s1'))).toEqual({ site: 's1', kind: 'model-status' });
  });

  it('are accepted only with a known state, a version and the inbox site', () => {
    expect(validateModelReleaseStatus(report, 's1')).toMatchObject({ ok: true });
    expect(validateModelReleaseStatus({ ...report, state: 'pending' }, 's1')).toMatchObject({ ok: false, code: 'invalid_shape' });
    expect(validateModelReleaseStatus({ ...report, version: '../x' }, 's1')).toMatchObject({ ok: false, code: 'invalid_shape' });
    expect(validateModelReleaseStatus(report, 's2')).toMatchObject({ ok: false, code: 'site_mismatch' });
  });

  it('announcements are checked at the edge for this site', () => {
    const a = { site: 's1', version: 'v2', sha256: 'a'.repeat(64), bundleSha256: 'b'.repeat(64), bundleBytes: 10, chunks: 1, shadowMs: 0, maxDisagreement: 5, at: 1, by: 'x' };
    expect(validateModelReleaseAnnouncement(a, 's1')).toMatchObject({ ok: true });
    expect(validateModelReleaseAnnouncement({ ...a, chunks: 0 }, 's1')).toMatchObject({ ok: false, code: 'invalid_shape' });
    expect(validateModelReleaseAnnouncement(a, 's2')).toMatchObject({ ok: false, code: 'site_mismatch' });
  });
});
