import type { SessionInfo, SiteSummary } from '@millwright/console-contracts';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, liveStore } from './api.client';
import { AssetDetailView } from './asset-detail.view';
import { AssetsTableView } from './assets-table.view';
import { ModelView } from './model.view';
import { OrderDetailView, OrdersView } from './orders.view';
import { SignInView } from './sign-in.view';
import { SiteHealthView } from './site-health.view';

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/assets');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/assets');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Route({ hash, session }: { hash: string; session: SessionInfo }) {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'assets' && parts.length === 3) return <AssetDetailView site={parts[1]} asset={parts[2]} />;
  if (session.mode === 'fleet') return <AssetsTableView />;
  if (parts[0] === 'orders' && parts[1]) return <OrderDetailView id={parts[1]} session={session} />;
  if (parts[0] === 'orders') return <OrdersView session={session} />;
  if (parts[0] === 'health') return <SiteHealthView session={session} />;
  if (parts[0] === 'model') return <ModelView />;
  return <AssetsTableView />;
}

/** Fleet mode: which site's assets to show. */
function SitePicker({ site, onPick }: { site: string; onPick: (s: string) => void }) {
  const [sites, setSites] = useState<SiteSummary[]>([]);
  useEffect(() => {
    api<{ items: SiteSummary[] }>('/api/v1/sites').then((r) => setSites(r.items), () => setSites([]));
  }, []);
  return (
    <label class="site-picker">
      Site
      <select value={site} onChange={(e) => onPick((e.target as HTMLSelectElement).value)}>
        <option value="">all sites</option>
        {sites.map((s) => <option value={s.site}>{s.site}</option>)}
      </select>
    </label>
  );
}

export function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [site, setSite] = useState('');
  const hash = useHash();

  useEffect(() => {
    api<SessionInfo>('/api/v1/session').then(setSession, (e: ApiError) => setSession(e.status === 401 ? null : null));
  }, []);
  useEffect(() => {
    if (!session) return;
    liveStore.start(session, session.mode === 'fleet' ? site || null : null);
    return () => liveStore.stop();
  }, [session, site]);

  if (session === undefined) return <main id="main"><p role="status">Loading…</p></main>;
  if (session === null) return <SignInView onSignedIn={setSession} />;

  const signOut = async () => {
    await api('/api/v1/session', { method: 'DELETE' }).catch(() => undefined);
    liveStore.stop();
    setSession(null);
  };
  const nav = session.mode === 'fleet' ? [['#/assets', 'Assets']] : [['#/assets', 'Assets'], ['#/orders', 'Orders'], ['#/health', 'Site health'], ['#/model', 'Model']];
  const current = (href: string) => hash === href || hash.startsWith(`${href}/`);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>Skip to content</a>
      <header class="top">
        <span class="brand">Millwright {session.mode === 'fleet' ? 'fleet' : session.site ?? 'edge'}</span>
        <nav aria-label="Views">
          <ul>
            {nav.map(([href, text]) => (
              <li><a href={href} aria-current={current(href) ? 'page' : undefined}>{text}</a></li>
            ))}
          </ul>
        </nav>
        {session.mode === 'fleet' && <SitePicker site={site} onPick={setSite} />}
        <span class="who">{session.user} <span class="role">({session.role})</span></span>
        <button type="button" onClick={signOut}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <Route hash={hash} session={session} />
      </main>
    </>
  );
}
