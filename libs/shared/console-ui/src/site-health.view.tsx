import type { AuditRecord, DeadLetterRow, SessionInfo, SiteHealth } from '@millwright/console-contracts';
import { api, liveStore } from './api.client';
import { useLiveStore, useLoad } from './hooks';

const time = (t: number) => new Date(t).toLocaleString();

/** Ingest, backlog and uplink of the site, its dead letters and (for admins) the audit log. */
export function SiteHealthView({ session }: { session: SessionInfo }) {
  useLiveStore();
  const first = useLoad(() => api<SiteHealth>('/api/v1/site-health'), []);
  const dead = useLoad(() => api<{ items: DeadLetterRow[] }>('/api/v1/dead-letters?limit=50'), []);
  const audit = useLoad(() => (session.role === 'admin' ? api<{ items: AuditRecord[] }>('/api/v1/audit?limit=50') : Promise.resolve({ items: [] })), [session.role]);
  const h = liveStore.health ?? first.data;
  const show = (v: number | null) => (v === null ? 'unknown' : v.toLocaleString());
  return (
    <section aria-labelledby="health-title">
      <h1 id="health-title">Site health</h1>
      {first.error && <p role="alert" class="error">{first.error}</p>}
      {h && (
        <dl class="facts">
          <div><dt>Ingest</dt><dd>{h.ingestPerSecond.toFixed(1)} readings/s</dd></div>
          <div><dt>Ingest backlog</dt><dd>{show(h.backlog)}</dd></div>
          <div><dt>Dead letters</dt><dd>{show(h.deadLetters)}</dd></div>
          <div><dt>Uplink</dt><dd class={`link-${h.link}`}>{h.link}</dd></div>
          <div><dt>Waiting to sync</dt><dd>{show(h.syncBacklog)}</dd></div>
          <div><dt>Broker</dt><dd>{h.broker}</dd></div>
          <div><dt>Live updates</dt><dd>{liveStore.connected ? 'connected' : 'reconnecting'}</dd></div>
        </dl>
      )}
      <h2>Dead letters</h2>
      {dead.error && <p role="alert" class="error">{dead.error}</p>}
      {dead.data && dead.data.items.length === 0 && <p>None: every message was accepted.</p>}
      {dead.data && dead.data.items.length > 0 && (
        <div class="table-wrap" tabIndex={0} aria-label="Dead letters, scrollable">
          <table>
            <thead>
              <tr><th scope="col">Refused</th><th scope="col">Reason</th><th scope="col">Subject</th><th scope="col">Detail</th></tr>
            </thead>
            <tbody>
              {dead.data.items.map((d) => (
                <tr><td>{time(d.rejectedAt)}</td><td><code>{d.reason}</code></td><td><code>{d.subject}</code></td><td>{d.detail}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {session.role === 'admin' && (
        <>
          <h2>Audit log</h2>
          <div class="table-wrap" tabIndex={0} aria-label="Audit log, scrollable">
            <table>
              <thead>
                <tr><th scope="col">When</th><th scope="col">User</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Reason</th></tr>
              </thead>
              <tbody>
                {(audit.data?.items ?? []).map((a) => (
                  <tr><td>{time(a.at)}</td><td>{a.user} ({a.role ?? '–'})</td><td>{a.action}</td><td>{a.target}</td><td>{a.outcome}</td><td>{a.reason ?? ''}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
