import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Viewer } from '../../../application/ports/notification.port';

export type Role = Viewer['role'];
export const ROLES_KEY = 'zapdesk:roles';
export const PUBLIC_KEY = 'zapdesk:public';

/** Only these roles may call the route (others get 403). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** No bearer token needed (health, metrics, docs, Twilio webhooks with their own signature check). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export interface AuthenticatedRequest extends Request {
  viewer?: Viewer;
}

/** The authenticated caller, set by JwtAuthGuard. */
export const CurrentViewer = createParamDecorator((_: unknown, context: ExecutionContext): Viewer => {
  const viewer = context.switchToHttp().getRequest<AuthenticatedRequest>().viewer;
  if (!viewer) throw new Error('CurrentViewer used on a route without authentication');
  return viewer;
});
