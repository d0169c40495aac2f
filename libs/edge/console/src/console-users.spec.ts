import { hashPassword, parseUsers, verifyPassword } from './console-users';
import { SessionTokens } from './session.tokens';

describe('console users and sessions', () => {
  it('verifies scrypt hashes and nothing else', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('Correct horse', h)).toBe(false);
    expect(await verifyPassword('correct horse', 'correct horse')).toBe(false);
    expect(parseUsers(`ann:technician:${h}\n# a comment\nvic:viewer:${h}`).map((u) => u.name)).toEqual(['ann', 'vic']);
    expect(() => parseUsers(`ann:technician:${h};ann:admin:${h}`)).toThrow(/twice/);
  });

  it('accepts only its own unexpired, untampered tokens', () => {
    const t = new SessionTokens('0123456789abcdef0123');
    const token = t.issue({ user: 'ann', role: 'viewer', exp: 2000 });
    expect(t.verify(token, 1000)).toEqual({ user: 'ann', role: 'viewer', exp: 2000 });
    expect(t.verify(token, 2000)).toBeNull();
    const [body, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ user: 'ann', role: 'admin', exp: 2000 })).toString('base64url');
    expect(t.verify(`${forged}.${sig}`, 1000)).toBeNull();
    expect(new SessionTokens('another-secret-of-16').verify(`${body}.${sig}`, 1000)).toBeNull();
  });
});
