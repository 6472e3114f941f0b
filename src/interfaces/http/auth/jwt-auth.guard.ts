import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { ApiError } from '../errors/api-error';
import { AuthenticatedRequest, PUBLIC_KEY, ROLES_KEY, Role } from './viewer';

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');
/** The server-sent events endpoint, the one route that accepts `?access_token=`. */
export const EVENT_STREAM_PATH = '/events';
export interface AuthSettings {
  readonly jwtSecret: string;
}

const CLAIMS = z.object({
  sub: z.string().min(1).max(128),
  companyId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  // Any role is a valid claim; one Zapdesk does not know may do nothing here (403, not 401).
  role: z.string().min(1).max(64),
});
const KNOWN_ROLES: readonly string[] = ['admin', 'agent'] satisfies Role[];

function isKnownRole(role: string): role is Role {
  return KNOWN_ROLES.includes(role);
}

/**
 * Verifies `Authorization: Bearer <HS256 JWT>` (or `?access_token=` for EventSource,
 * which cannot set headers) and the route's roles. Applied globally; `@Public()` opts out.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request);
    if (!token) throw new ApiError(401, 'AUTH.UNAUTHENTICATED', 'a bearer token is required');
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.settings.jwtSecret, { algorithms: ['HS256'] });
    } catch {
      throw new ApiError(401, 'AUTH.UNAUTHENTICATED', 'the bearer token is invalid or expired');
    }
    const claims = CLAIMS.safeParse(payload);
    if (!claims.success) throw new ApiError(401, 'AUTH.UNAUTHENTICATED', 'the bearer token lacks sub, companyId or role');
    const { role } = claims.data;
    if (!isKnownRole(role)) throw new ApiError(403, 'AUTH.FORBIDDEN', "the token's role is neither admin nor agent: it may not use this API");
    request.viewer = { userId: claims.data.sub, companyId: claims.data.companyId, role };
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(role)) throw new ApiError(403, 'AUTH.FORBIDDEN', 'your role may not do this');
    return true;
  }
}

function bearerToken(request: AuthenticatedRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? match[1]! : null;
  }
  // Only the SSE stream may take its token from the URL (EventSource cannot set headers);
  // everywhere else a URL token would end up in proxy and access logs.
  if (request.method !== 'GET' || request.path !== EVENT_STREAM_PATH) return null;
  const query = request.query.access_token;
  return typeof query === 'string' && query.length > 0 ? query : null;
}
