import { AggregateRoot } from '../shared/aggregate-root';
import { assertCompanyId } from '../shared/company-id';
import { DomainError } from '../shared/domain-error';
import { normalizeE164 } from '../shared/phone-number';
import { TicketEvent } from './ticket-events';
import { Contact, LastMessageSummary, TicketSnapshot } from './ticket-snapshot';
import { TicketStatus, assertTicketTransition } from './ticket-status';

export type { Contact, LastMessageSummary, TicketSnapshot } from './ticket-snapshot';

/** WhatsApp's customer-service window: free-form replies only within 24 h of the customer's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;
const PREVIEW_LENGTH = 140;
/**
 * How many counted inbound message ids a ticket remembers. A replay is recognised as long as
 * fewer than this many newer messages of the same ticket were counted after it: Twilio
 * retries within seconds, so the window is ample while keeping the document small.
 */
export const APPLIED_INBOUND_MEMORY = 100;

export class Ticket extends AggregateRoot<TicketEvent> {
  private constructor(private state: TicketSnapshot) {
    super();
  }

  static open(input: {
    id: string;
    companyId: string;
    integrationId: string;
    contactNumber: string;
    profileName?: string | null;
    waId?: string | null;
    /** The customer message this ticket is opened for. */
    openedForMessageId?: string | null;
    now: Date;
  }): Ticket {
    const ticket = new Ticket({
      id: input.id,
      companyId: assertCompanyId(input.companyId),
      integrationId: input.integrationId,
      contact: {
        whatsappNumber: normalizeE164(input.contactNumber, 'contact'),
        profileName: input.profileName ?? null,
        waId: input.waId ?? null,
        optedOut: false,
      },
      status: 'open',
      unreadCount: 0,
      lastMessage: null,
      lastInboundAt: null,
      appliedInboundIds: [],
      openedForMessageId: input.openedForMessageId ?? null,
      createdAt: input.now,
      updatedAt: input.now,
      version: 0,
    });
    ticket.record({ name: 'ticket.opened', companyId: ticket.companyId, aggregateId: ticket.id, occurredAt: input.now, integrationId: input.integrationId, snapshot: ticket.state });
    return ticket;
  }

  static restore(snapshot: TicketSnapshot): Ticket {
    return new Ticket(snapshot);
  }

  get id(): string {
    return this.state.id;
  }
  get companyId(): string {
    return this.state.companyId;
  }
  get integrationId(): string {
    return this.state.integrationId;
  }
  get status(): TicketStatus {
    return this.state.status;
  }
  get contact(): Contact {
    return this.state.contact;
  }
  get unreadCount(): number {
    return this.state.unreadCount;
  }
  get lastInboundAt(): Date | null {
    return this.state.lastInboundAt;
  }
  get version(): number {
    return this.state.version;
  }
  get isClosed(): boolean {
    return this.state.status === 'closed';
  }

  /** Whether this inbound message was already counted on the ticket (webhook replays). */
  hasCounted(messageId: string): boolean {
    return this.state.appliedInboundIds.includes(messageId);
  }

  /**
   * A customer message arrived: counts as unread, refreshes the window and clears an opt-out.
   * Idempotent per message id: a message already counted changes nothing (returns false).
   */
  recordInbound(input: { messageId: string; preview: string; at: Date; profileName?: string | null; waId?: string | null }): boolean {
    this.requireNotClosed();
    if (this.hasCounted(input.messageId)) return false;
    const lastInboundAt = !this.state.lastInboundAt || input.at > this.state.lastInboundAt ? input.at : this.state.lastInboundAt;
    this.state = {
      ...this.state,
      contact: {
        ...this.state.contact,
        profileName: input.profileName ?? this.state.contact.profileName,
        waId: input.waId ?? this.state.contact.waId,
        optedOut: false,
      },
      unreadCount: this.state.unreadCount + 1,
      lastMessage: this.newerSummary({ preview: toPreview(input.preview), at: input.at, direction: 'inbound' }),
      lastInboundAt,
      appliedInboundIds: [...this.state.appliedInboundIds, input.messageId].slice(-APPLIED_INBOUND_MEMORY),
      // A customer writing on a pending ticket needs attention again.
      status: this.state.status === 'pending' ? 'open' : this.state.status,
      updatedAt: this.touchedAt(input.at),
    };
    this.changed(input.at);
    return true;
  }

  /** Whether this ticket was opened for this message. */
  wasOpenedFor(messageId: string): boolean {
    return this.state.openedForMessageId === messageId;
  }

  /**
   * Announces the ticket as it stands again, for a receive whose own announcement may have
   * been lost (the process died after a write, before publishing). As opened when it was
   * opened for `messageId`, else as changed. Changes no state.
   */
  announceAgain(messageId: string, now: Date): void {
    if (this.wasOpenedFor(messageId)) {
      this.record({ name: 'ticket.opened', companyId: this.companyId, aggregateId: this.id, occurredAt: now, integrationId: this.state.integrationId, snapshot: this.state });
    } else {
      this.changed(now);
    }
  }

  /** An agent's reply was accepted; it does not extend the 24-hour window. */
  recordOutbound(preview: string, at: Date): void {
    this.state = {
      ...this.state,
      lastMessage: this.newerSummary({ preview: toPreview(preview), at, direction: 'outbound' }),
      updatedAt: this.touchedAt(at),
    };
    this.changed(at);
  }

  markRead(now: Date): void {
    if (this.state.unreadCount === 0) return;
    this.state = { ...this.state, unreadCount: 0, updatedAt: this.touchedAt(now) };
    this.changed(now);
  }

  changeStatus(to: TicketStatus, now: Date): void {
    if (this.state.status === to) return;
    assertTicketTransition(this.state.status, to);
    this.state = { ...this.state, status: to, updatedAt: this.touchedAt(now) };
    this.changed(now);
  }

  markOptedOut(now: Date): void {
    if (this.state.contact.optedOut) return;
    this.state = { ...this.state, contact: { ...this.state.contact, optedOut: true }, updatedAt: this.touchedAt(now) };
    this.changed(now);
  }

  /** Free-form text is allowed only within 24 h of the customer's last inbound message. */
  isWithinCustomerServiceWindow(now: Date): boolean {
    const last = this.state.lastInboundAt;
    return last !== null && now.getTime() - last.getTime() < CUSTOMER_SERVICE_WINDOW_MS;
  }

  toSnapshot(): TicketSnapshot {
    return this.state;
  }

  markSaved(): void {
    this.state = { ...this.state, version: this.state.version + 1 };
  }

  /**
   * `updatedAt` after a change dated `at`: never earlier than it was. A message can be dated
   * before the ticket it is filed on was opened (accepted, then filed a moment later), and
   * clients keep the state with the newest `updatedAt`, so it must only move forward.
   */
  private touchedAt(at: Date): Date {
    return at > this.state.updatedAt ? at : this.state.updatedAt;
  }

  private newerSummary(candidate: LastMessageSummary): LastMessageSummary {
    const current = this.state.lastMessage;
    return current && current.at > candidate.at ? current : candidate;
  }

  private requireNotClosed(): void {
    if (this.isClosed) throw new DomainError('TICKET.CLOSED', 'conflict', 'ticket is closed');
  }

  private changed(now: Date): void {
    this.record({ name: 'ticket.changed', companyId: this.companyId, aggregateId: this.id, occurredAt: now, status: this.state.status, snapshot: this.state });
  }
}

function toPreview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > PREVIEW_LENGTH ? `${oneLine.slice(0, PREVIEW_LENGTH - 1)}…` : oneLine;
}
