import { InboundExtras, MediaItem, Message, MessageError } from '../../domain/message/message';
import { MessageStatus } from '../../domain/message/delivery-status';

/**
 * The read model of a message. Media are listed by index and content type only: their
 * Twilio URLs need the account's credentials, so clients fetch them through
 * `GET /ticket-messages/:id/media/:n`.
 */
export interface MessageView {
  readonly id: string;
  readonly companyId: string;
  readonly ticketId: string;
  readonly integrationId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly body: string;
  readonly media: ReadonlyArray<{ readonly index: number; readonly contentType: string; readonly url: string }>;
  readonly template: { readonly contentSid: string; readonly contentVariables: Readonly<Record<string, string>> } | null;
  readonly extras: InboundExtras | null;
  readonly twilioSid: string | null;
  readonly status: MessageStatus;
  readonly error: MessageError | null;
  readonly attempts: number;
  readonly senderUserId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** A reply sent as several WhatsApp messages (long text, attachments): each one, in order. Absent otherwise. */
  readonly parts?: readonly ReplyPartView[];
}

/** One WhatsApp message of a reply of several (see `reply.view.ts`). */
export interface ReplyPartView {
  readonly id: string;
  readonly part: number;
  readonly body: string;
  readonly media: MessageView['media'];
  readonly twilioSid: string | null;
  readonly status: MessageStatus;
  readonly error: MessageError | null;
  readonly attempts: number;
  readonly updatedAt: Date;
}

export function toMessageView(message: Message): MessageView {
  const s = message.toSnapshot();
  return {
    id: s.id,
    companyId: s.companyId,
    ticketId: s.ticketId,
    integrationId: s.integrationId,
    direction: s.direction,
    body: s.body,
    media: s.media.map((item: MediaItem, index) => ({ index, contentType: item.contentType, url: mediaPath(s.id, index) })),
    template: s.template ? { contentSid: s.template.contentSid, contentVariables: { ...s.template.contentVariables } } : null,
    extras: s.extras,
    twilioSid: s.twilioSid,
    status: s.status,
    error: s.error,
    attempts: s.attempts,
    senderUserId: s.senderUserId,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** Zapdesk's own path for a media item (relative: the API's base URL is the client's). */
export function mediaPath(messageId: string, index: number): string {
  return `/ticket-messages/${messageId}/media/${index}`;
}
