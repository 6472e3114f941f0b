import { MessageStatus } from './delivery-status';

export interface MediaItem {
  readonly url: string;
  readonly contentType: string;
}

export interface TemplateContent {
  readonly contentSid: string;
  readonly contentVariables: Readonly<Record<string, string>>;
}

/** WhatsApp extras of an inbound message worth keeping (all optional, as Twilio sends them). */
export interface InboundExtras {
  readonly latitude?: string;
  readonly longitude?: string;
  readonly address?: string;
  readonly label?: string;
  readonly buttonText?: string;
  readonly buttonPayload?: string;
  /** SID of the message the customer replied to (OriginalRepliedMessageSid). */
  readonly repliedToSid?: string;
}

export interface MessageError {
  readonly code: number | null;
  readonly message: string;
}

/**
 * An outbound message that is one part of a longer reply (a long text split at 1,600
 * characters, or one attachment per WhatsApp message): the reply is its part 1 (whose id is
 * the reply's id), the other parts are messages of their own, each one Twilio message.
 */
export interface ReplyPart {
  readonly replyId: string;
  /** 1-based position in the reply: part k+1 goes out only after part k was accepted. */
  readonly part: number;
  readonly parts: number;
}

export interface MessageSnapshot {
  readonly id: string;
  readonly companyId: string;
  readonly ticketId: string;
  readonly integrationId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly body: string;
  readonly media: readonly MediaItem[];
  readonly template: TemplateContent | null;
  readonly extras: InboundExtras | null;
  readonly twilioSid: string | null;
  readonly status: MessageStatus;
  readonly error: MessageError | null;
  readonly attempts: number;
  /** The agent who sent an outbound message (notified when it fails). */
  readonly senderUserId: string | null;
  /** Outbound, while queued: the earliest time the next delivery attempt may start (backoff). */
  readonly nextAttemptAt: Date | null;
  /** Outbound: when the latest delivery attempt started (reconciliation looks for sends after it). */
  readonly lastAttemptAt: Date | null;
  /** Outbound: its place in a reply of several messages; null for a reply of one message. */
  readonly reply: ReplyPart | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}
