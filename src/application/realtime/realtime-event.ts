import type { NotificationRecipient } from '../ports/notification.port';

/** The server-sent event names of SPEC §3 (`stream.reset` is the stream's own, never logged). */
export type RealtimeEventName =
  | 'integration.updated'
  | 'ticket.created'
  | 'ticket.updated'
  | 'message.created'
  | 'message.updated'
  | 'notification.created';

/**
 * One entry for a company's real-time stream: the read-model JSON of what changed, never a
 * secret. `audience` narrows delivery inside the company (notifications); null means everyone.
 */
export interface RealtimeEvent {
  readonly companyId: string;
  readonly name: RealtimeEventName;
  readonly payload: object;
  readonly audience: NotificationRecipient | null;
}
