import { Inject, Injectable, Logger, Module, SetMetadata, type CanActivate, type DynamicModule, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiErrorCode } from '@millwright/contracts';
import { apiError } from '@millwright/observability';
import { apiRoleAllows, matchApiToken, type ApiRole, type ApiToken } from './api-tokens';
import { FailedAttemptsLimiter } from './failed-attempts.limiter';

export interface ApiAuthOptions {
  /** Accepted tokens; none means the API is open (a development box), which the service logs. */
  tokens: ApiToken[];
  maxFailures: number;
  failureWindowMs: number;
}

export const API_AUTH_OPTIONS = Symbol('API_AUTH_OPTIONS');
const REQUIRED_ROLE = 'millwright:apiRole';

/** The least role a route needs, when not the default (viewer to read, technician to change). */
export const RequireApiRole = (role: ApiRole) => SetMetadata(REQUIRED_ROLE, role);

/** Routes the orchestrator and tooling reach without a token: health, metrics, the OpenAPI UI. */
export function isOpenPath(path: string): boolean {
  return path.startsWith('/health/') || path === '/metrics' || path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-json') || path.startsWith('/docs-yaml');
}

type AuthedRequest = Request & { apiClient?: ApiToken };

/**
 * Bearer tokens with roles for a service's HTTP API. Reads need viewer, changes technician unless
 * a route says otherwise. A client that presents bad tokens `maxFailures` times in the window gets
 * 429 `too_many_attempts` with Retry-After (even with a good token, until the window passes), so
 * tokens cannot be guessed online.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  private readonly limiter: FailedAttemptsLimiter;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_AUTH_OPTIONS) private readonly o: ApiAuthOptions,
  ) {
    this.limiter = new FailedAttemptsLimiter({ maxFailures: o.maxFailures, windowMs: o.failureWindowMs });
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http' || this.o.tokens.length === 0) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (isOpenPath(req.path)) return true;
    const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = this.limiter.retryAfterMs(client);
    if (wait > 0) {
      ctx.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw apiError(429, ApiErrorCode.TooManyAttempts, 'too many failed attempts from this address; wait and try again', { retryAfterSeconds: Math.ceil(wait / 1000) });
    }
    const presented = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = presented ? matchApiToken(this.o.tokens, presented) : null;
    if (!token) {
      // A request with no token at all is not a guess; only wrong tokens count towards the limit.
      if (presented) this.limiter.recordFailure(client);
      throw apiError(401, ApiErrorCode.Unauthenticated, presented ? 'unknown token' : 'send Authorization: Bearer <token>');
    }
    const targets = [ctx.getHandler(), ctx.getClass()];
    const needed = this.reflector.getAllAndOverride<ApiRole>(REQUIRED_ROLE, targets) ?? (['GET', 'HEAD', 'OPTIONS'].includes(req.method) ? 'viewer' : 'technician');
    if (!apiRoleAllows(token.role, needed)) throw apiError(403, ApiErrorCode.Forbidden, `this needs the ${needed} role; token ${token.name} is ${token.role}`, { required: needed, role: token.role });
    req.apiClient = token;
    return true;
  }
}

/** Puts ApiAuthGuard in front of every route of the application. */
@Module({})
export class ApiAuthModule {
  static forRoot(o: ApiAuthOptions, service: string): DynamicModule {
    if (o.tokens.length === 0) Logger.warn('API_TOKENS is empty: the HTTP API is open to anyone who can reach it (production configures tokens)', service);
    return { module: ApiAuthModule, providers: [{ provide: API_AUTH_OPTIONS, useValue: o }, { provide: APP_GUARD, useClass: ApiAuthGuard }] };
  }
}
