import { TwilioIntegration } from '../../domain/integration/twilio-integration';
import { NotificationStore } from '../ports/notification.port';

/** Tells the company's admins that an integration failed (once per failure). */
export async function notifyAdminsOfFailure(notifications: NotificationStore, integration: TwilioIntegration): Promise<void> {
  const { lastError, lastErrorDate } = integration.toSnapshot().config;
  const name = integration.whatsappNumber ?? integration.toSnapshot().friendlyName ?? integration.id;
  await notifications.add({
    companyId: integration.companyId,
    recipient: { role: 'admin' },
    kind: 'integration_error',
    subjectId: integration.id,
    message: `WhatsApp integration ${name} failed: ${lastError ?? 'unknown error'}`,
    dedupeKey: `integration_error:${integration.id}:${lastErrorDate?.getTime() ?? 0}`,
  });
}
