import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, describeSettings } from '@millwright/config';
import { consoleOptions, consoleSettings, loadConsoleConfig } from './console.config';

const HASH = 'scrypt$16384$8$1$c2FsdA==$aGFzaA==';

describe('console configuration', () => {
  it('serves the edge on 8084 by default and reads users from the setting and a Secret file', () => {
    const c = loadConsoleConfig({ CONSOLE_USERS: `ann:technician:${HASH}`, CONSOLE_USERS_FILE: '/run/secrets/users' });
    expect(c).toMatchObject({ CONSOLE_MODE: 'edge', HTTP_PORT: 8084, CONSOLE_SESSION_TTL: 8 * 3_600_000 });
    const o = consoleOptions(c, () => `# staff\nvic:viewer:${HASH}\n`);
    expect(o.users.map((u) => [u.name, u.role])).toEqual([['ann', 'technician'], ['vic', 'viewer']]);
    expect(o.sessionSecret.length).toBeGreaterThanOrEqual(16);
  });

  it('refuses to start without users, with a plain password, or with a bad mode', () => {
    expect(() => consoleOptions(loadConsoleConfig({}))).toThrow(ConfigError);
    expect(() => consoleOptions(loadConsoleConfig({ CONSOLE_USERS: 'ann:admin:hunter2' }))).toThrow(/scrypt hash/);
    expect(() => consoleOptions(loadConsoleConfig({ CONSOLE_USERS: `ann:boss:${HASH}` }))).toThrow(/role/);
    expect(() => consoleOptions(loadConsoleConfig({ CONSOLE_USERS: `ann:admin:${HASH}`, CONSOLE_SESSION_SECRET: 'short' }))).toThrow(/16/);
    expect(() => loadConsoleConfig({ CONSOLE_MODE: 'cloud' })).toThrow(ConfigError);
  });

  it('is documented in the README, row for row', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const row of describeSettings(consoleSettings)) expect(readme).toContain(row);
  });
});
