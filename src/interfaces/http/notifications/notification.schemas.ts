import { z } from 'zod';
import { EXAMPLE, instant, pageOf } from '../openapi/common.schemas';
import { pageQuery } from '../validation/page-query';

/** `GET /notifications?cursor=&limit=`: newest first. */
export const listNotificationsQuery = pageQuery;

const NOTIFICATION_EXAMPLE = {
  id: EXAMPLE.notificationId,
  companyId: EXAMPLE.companyId,
  recipient: { userId: 'agent-7' },
  kind: 'message_failed' as const,
  subjectId: EXAMPLE.messageId,
  message: 'Your reply to +5511999990000 failed: the customer is outside the 24-hour window (63016)',
  read: false,
  createdAt: EXAMPLE.updatedAt,
};

export const notificationJson = z
  .object({
    id: z.string(),
    companyId: z.string(),
    recipient: z
      .object({ role: z.enum(['admin', 'agent']).optional(), userId: z.string().optional() })
      .meta({ description: 'Everyone with this role in the company, or one user.' }),
    kind: z.enum(['integration_error', 'integration_recovered', 'low_balance', 'webhook_drift', 'message_failed']),
    subjectId: z.string().meta({ description: 'What it is about: an integration id or a message id.' }),
    message: z.string(),
    read: z.boolean().meta({ description: "Shared by a role-wide notification's recipients." }),
    createdAt: instant(),
  })
  .meta({ id: 'Notification', example: NOTIFICATION_EXAMPLE });

export const notificationPage = pageOf('Notification', notificationJson, NOTIFICATION_EXAMPLE);
