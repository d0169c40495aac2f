import { createHmac, timingSafeEqual } from 'node:crypto';
import { CONSOLE_ROLES, type ConsoleRole } from '@millwright/console-contracts';

export interface SessionClaims {
  user: string;
  role: ConsoleRole;
  exp: number;
}

/**
 * Signed session tokens (payload.HMAC-SHA256) rather than server-side sessions: a console restart
 * or a second replica keeps everyone signed in, and nothing needs to be stored. The price is that
 * a token lives until it expires, so the lifetime is short (a shift).
 */
export class SessionTokens {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('the session secret must be at least 16 characters');
  }

  issue(claims: SessionClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The claims of a valid, unexpired token; null for anything else. */
  verify(token: string | undefined, now = Date.now()): SessionClaims | null {
    if (!token) return null;
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
      if (typeof c.user !== 'string' || !(CONSOLE_ROLES as readonly string[]).includes(c.role) || typeof c.exp !== 'number' || c.exp <= now) return null;
      return c;
    } catch {
      return null;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
