import { TicketStatus } from './ticket-status';

export interface Contact {
  /** Bare E.164 of the customer. */
  readonly whatsappNumber: string;
  readonly profileName: string | null;
  readonly waId: string | null;
  /** Twilio answered 21610: the customer opted out; cleared when they write again. */
  readonly optedOut: boolean;
}

export interface LastMessageSummary {
  readonly preview: string;
  readonly at: Date;
  readonly direction: 'inbound' | 'outbound';
}

export interface TicketSnapshot {
  readonly id: string;
  readonly companyId: string;
  readonly integrationId: string;
  readonly contact: Contact;
  readonly status: TicketStatus;
  readonly unreadCount: number;
  readonly lastMessage: LastMessageSummary | null;
  readonly lastInboundAt: Date | null;
  /**
   * Ids of the latest inbound messages counted on this ticket, newest last (bounded). Stored
   * in the same write as the counters, so a replayed webhook can tell whether its message
   * was already counted: the exactly-once key of the unread increment.
   */
  readonly appliedInboundIds: readonly string[];
  /** The inbound message the ticket was opened for (null: not recorded, as for older tickets). */
  readonly openedForMessageId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}
