import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { ConsoleErrorCode, type SessionInfo } from '@millwright/console-contracts';
import { ApiErrorCode } from '@millwright/contracts';
import { FailedAttemptsLimiter } from '@millwright/http-auth';
import { apiError } from '@millwright/observability';
import { AuditLog } from './audit.log';
import { verifyPassword } from './console-users';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options';
import { CurrentUser, PublicRoute, SESSION_COOKIE } from './session.guard';
import { SessionTokens, type SessionClaims } from './session.tokens';

// Compared against when the user is unknown, so a wrong name takes as long as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

@ApiTags('session')
@Controller('api/v1/session')
export class SessionHttpController {
  // Per client address: online password guessing gets 429 long before it gets anywhere.
  private readonly failures: FailedAttemptsLimiter;

  constructor(
    private readonly tokens: SessionTokens,
    private readonly audit: AuditLog,
    @Inject(CONSOLE_OPTIONS) private readonly o: ConsoleOptions,
  ) {
    this.failures = new FailedAttemptsLimiter(o.signIn ?? { maxFailures: 10, windowMs: 5 * 60_000 });
  }

  @Post()
  @PublicRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with {user, password}; sets the session cookie and returns the session' })
  async signIn(@Body() body: { user?: unknown; password?: unknown }, @Req() req: ExpressRequest, @Res({ passthrough: true }) res: ExpressResponse): Promise<SessionInfo & { token: string }> {
    if (typeof body?.user !== 'string' || typeof body.password !== 'string') throw apiError(400, ApiErrorCode.ValidationFailed, 'send {"user": "...", "password": "..."}');
    const client = req.ip ?? 'unknown';
    const wait = this.failures.retryAfterMs(client);
    if (wait > 0) {
      this.audit.record({ user: body.user.slice(0, 64), role: null, action: 'sign_in', target: 'console', outcome: 'denied', detail: 'too many failed sign-ins from this address' });
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw apiError(429, ApiErrorCode.TooManyAttempts, 'too many failed sign-ins from this address; wait and try again', { retryAfterSeconds: Math.ceil(wait / 1000) });
    }
    const user = this.o.users.find((u) => u.name === body.user);
    const ok = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      this.failures.recordFailure(client);
      this.audit.record({ user: String(body.user).slice(0, 64), role: null, action: 'sign_in', target: 'console', outcome: 'denied' });
      throw apiError(401, ConsoleErrorCode.BadCredentials as ApiErrorCode, 'unknown user or wrong password');
    }
    const claims: SessionClaims = { user: user.name, role: user.role, exp: Date.now() + this.o.sessionTtlMs };
    const token = this.tokens.issue(claims);
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: this.o.secureCookies, path: '/', maxAge: this.o.sessionTtlMs });
    this.audit.record({ user: user.name, role: user.role, action: 'sign_in', target: 'console', outcome: 'ok' });
    return { ...this.info(claims), token };
  }

  @Get()
  @ApiOperation({ summary: 'Who is signed in, with which role, and the console mode' })
  current(@CurrentUser() claims: SessionClaims): SessionInfo {
    return this.info(claims);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out (clears the cookie)' })
  signOut(@CurrentUser() claims: SessionClaims, @Res({ passthrough: true }) res: ExpressResponse): void {
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    this.audit.record({ user: claims.user, role: claims.role, action: 'sign_out', target: 'console', outcome: 'ok' });
  }

  private info(c: SessionClaims): SessionInfo {
    return { user: c.user, role: c.role, mode: this.o.mode, site: this.o.mode === 'edge' ? this.o.site || null : null, expiresAt: c.exp };
  }
}
