import { InboundWhatsAppMessage } from '../message/receive-message/inbound-whatsapp-message';

/** A customer's message Twilio delivered and Zapdesk acknowledged, not yet filed on a ticket. */
export interface AcceptedInboundMessage {
  /** The message's id, derived from (integration, MessageSid). */
  readonly messageId: string;
  readonly companyId: string;
  readonly integrationId: string;
  readonly message: InboundWhatsAppMessage;
  readonly acceptedAt: Date;
}

/**
 * The durable inbox of inbound messages: the webhook's one write before it answers Twilio.
 * Filing a message on its ticket happens right after, from the inbox, and is idempotent.
 */
export interface InboundInbox {
  /** Stores it durably; false when it is already waiting there (a replay). */
  accept(entry: AcceptedInboundMessage): Promise<boolean>;
  /** Entries accepted before `acceptedBefore`, oldest first: work nobody finished (a crash). */
  listUnfiled(acceptedBefore: Date, limit: number): Promise<AcceptedInboundMessage[]>;
  /** The message is filed on its ticket: the entry is done. */
  remove(messageId: string): Promise<void>;
}

/** Files an accepted message now, in the background of the instance that accepted it. */
export interface InboundFilingTrigger {
  file(entry: AcceptedInboundMessage): void;
}
