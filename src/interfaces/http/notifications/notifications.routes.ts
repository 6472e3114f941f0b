import { ApiRoute, notFound } from '../openapi/api-route';
import { EXAMPLE, idParams } from '../openapi/common.schemas';
import { listNotificationsQuery, notificationPage } from './notification.schemas';

/** `/notifications`: admins get integration failures, agents their failed sends. */
export const NOTIFICATION_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/notifications',
    tag: 'notifications',
    operationId: 'listNotifications',
    summary: "The caller's notifications, newest first",
    description: 'Those addressed to your role or to you. New ones also arrive as `notification.created` events.',
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: { query: listNotificationsQuery },
    responses: { 200: { description: 'One page of notifications.', schema: notificationPage } },
  },
  {
    method: 'post',
    path: '/notifications/{id}/read',
    tag: 'notifications',
    operationId: 'markNotificationRead',
    summary: 'Mark a notification read',
    auth: 'bearer',
    roles: ['admin', 'agent'],
    request: { params: idParams('The notification.', EXAMPLE.notificationId) },
    responses: { 204: { description: 'Marked read.' }, 404: notFound('notification', EXAMPLE.notificationId) },
  },
];
