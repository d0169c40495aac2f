import { Inject, Injectable, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ConsoleErrorCode, type ConsoleRole } from '@millwright/console-contracts';
import type { ApiErrorCode } from '@millwright/contracts';
import { apiRoleAllows } from '@millwright/http-auth';
import { apiError } from '@millwright/observability';
import { AuditLog } from './audit.log';
import { SessionTokens, type SessionClaims } from './session.tokens';

export const SESSION_COOKIE = 'mw_session';
const REQUIRED_ROLE = 'millwright:requiredRole';
const PUBLIC = 'millwright:public';

/** The least role a route needs (every console API route needs at least a signed-in viewer). */
export const RequireRole = (role: ConsoleRole) => SetMetadata(REQUIRED_ROLE, role);
/** A route anyone may call (sign-in, the UI's files). */
export const PublicRoute = () => SetMetadata(PUBLIC, true);

type SessionRequest = Request & { session?: SessionClaims };

/** The signed-in user of the request (set by the guard). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionClaims => ctx.switchToHttp().getRequest<SessionRequest>().session!);

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/**
 * Role checks happen here, on the server, for every API route: the UI hiding a button is a
 * courtesy, not the control. A missing session is 401 `unauthenticated`; too small a role is 403
 * `forbidden` (and is audited, since it is someone trying something they may not do).
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: SessionTokens,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<SessionRequest>();
    // Health and metrics endpoints (shared with every service) answer the orchestrator, not people.
    if (!req.path.startsWith('/api/')) return true;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const claims = this.tokens.verify(bearer ?? readCookie(req.headers.cookie, SESSION_COOKIE));
    if (!claims) throw apiError(401, ConsoleErrorCode.Unauthenticated as ApiErrorCode, 'sign in first');
    req.session = claims;
    const needed = this.reflector.getAllAndOverride<ConsoleRole>(REQUIRED_ROLE, targets) ?? 'viewer';
    if (!apiRoleAllows(claims.role, needed)) {
      this.audit.record({ user: claims.user, role: claims.role, action: `${req.method} ${req.route?.path ?? req.path}`, target: req.path, outcome: 'denied', detail: `needs ${needed}` });
      throw apiError(403, ConsoleErrorCode.Forbidden as ApiErrorCode, `this needs the ${needed} role; you are ${claims.role}`, { required: needed, role: claims.role });
    }
    return true;
  }
}
