import { join } from 'node:path';
import { hashPassword } from '@millwright/console';
import { startBuiltApp, type AppHandle } from './built-app.process';

/** Test users; their passwords exist only in the test, the console gets scrypt hashes. */
export const CONSOLE_TEST_USERS = [
  { name: 'tess', role: 'technician', password: 'tess-wrench-42' },
  { name: 'vic', role: 'viewer', password: 'vic-looks-17' },
  { name: 'ada', role: 'admin', password: 'ada-rules-99' },
] as const;

/** Starts the built console on a free port with the test users; `env` points it at the services. */
export async function startConsole(env: Record<string, string>, dir: string): Promise<AppHandle> {
  const users = await Promise.all(CONSOLE_TEST_USERS.map(async (u) => `${u.name}:${u.role}:${await hashPassword(u.password)}`));
  return startBuiltApp('console', {
    CONSOLE_USERS: users.join('\n'),
    CONSOLE_SESSION_SECRET: 'a-test-secret-of-enough-length',
    CONSOLE_AUDIT_PATH: join(dir, 'console-audit.jsonl'),
    NATS_MONITOR_URL: '',
    LIVE_FLUSH_INTERVAL: '200ms',
    ...env,
  });
}

/** Signs in over HTTP and returns the session cookie header value. */
export async function signIn(consoleUrl: string, name: string): Promise<string> {
  const u = CONSOLE_TEST_USERS.find((x) => x.name === name)!;
  const res = await fetch(`${consoleUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: u.name, password: u.password }) });
  if (!res.ok) throw new Error(`sign-in of ${name}: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0];
}
