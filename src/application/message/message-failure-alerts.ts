import { Message } from '../../domain/message/message';
import { NotificationStore } from '../ports/notification.port';

/**
 * Tells the agent who sent a message that it failed (once per failure: a repeated callback
 * or a retried worker step does not notify twice).
 */
export async function notifySenderOfFailedMessage(notifications: NotificationStore, message: Message): Promise<void> {
  const s = message.toSnapshot();
  if (s.direction !== 'outbound') return;
  const reason = s.error?.message ?? 'delivery failed';
  await notifications.add({
    companyId: s.companyId,
    recipient: s.senderUserId ? { userId: s.senderUserId } : { role: 'agent' },
    kind: 'message_failed',
    subjectId: s.id,
    message: `Your WhatsApp message could not be delivered: ${reason}`,
    // attempts changes with each retry: a failure after an agent's retry is a new notification.
    dedupeKey: `message_failed:${s.id}:${s.status}:${s.attempts}:${s.updatedAt.getTime()}`,
  });
}
