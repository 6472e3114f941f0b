import { Message } from '../../../domain/message/message';
import { MessageReceived } from '../../../domain/message/message-events';
import { DuplicateMessageError, MessageRepository } from '../../../domain/message/message.repository';
import { ConcurrencyError } from '../../../domain/shared/domain-error';
import { DomainEvent } from '../../../domain/shared/domain-event';
import { Ticket } from '../../../domain/ticket/ticket';
import { OpenTicketExistsError, TicketRepository } from '../../../domain/ticket/ticket.repository';
import { Clock, IdGenerator } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { AcceptedInboundMessage } from '../../ports/inbound-inbox.port';
import { InboundWhatsAppMessage, previewOf } from './inbound-whatsapp-message';
import { ReceiveMessageCommand, ReceiveMessageResult } from './receive-message.command';

/** Optimistic-concurrency retries before giving up (Twilio then retries the webhook). */
const MAX_ATTEMPTS = 8;

/** The integration a message came through, as far as filing it needs. */
interface Line {
  readonly id: string;
  readonly companyId: string;
}

/**
 * Files an accepted customer message on its ticket exactly once, without multi-document
 * transactions. The writes, in order, each safe to repeat:
 *
 *  1. the contact's open ticket, opened if there is none (unique open key per contact);
 *  2. the message, whose id derives from (integration, MessageSid) — the idempotency key;
 *  3. the ticket's counters, in one versioned write that also records the message id as
 *     counted (`appliedInboundIds`), which makes the unread increment exactly-once.
 *
 * A replay (Twilio retrying, a duplicate delivery, the inbox sweep after a crash between
 * any two writes, two instances filing the same entry) finds the message of step 2 and
 * completes step 3 only if the ticket has not counted it yet. Events are published once
 * the ticket has counted the message, by the attempt that counted it.
 */
export class ReceiveMessageHandler {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly messages: MessageRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly events: DomainEventPublisher,
  ) {}

  async execute(command: ReceiveMessageCommand): Promise<ReceiveMessageResult> {
    const { entry } = command;
    const line: Line = { id: entry.integrationId, companyId: entry.companyId };
    const inbound = entry.message;
    const messageId = entry.messageId;
    const pending: DomainEvent[] = [];

    const stored = await this.messages.findById(line.companyId, messageId);
    const { message, ticket } = stored ? { message: stored, ticket: null } : await this.storeMessage(line, entry, pending);
    // Announced by whoever counts it: a concurrent replay that stored the message but lost the
    // count to another attempt must not announce it a second time.
    const announcedAt = pending.length;
    const counted = await this.countOnTicket(line, message, ticket, inbound, pending);
    if (counted.newlyCounted) {
      // After the ticket that was opened for it (a ticket comes before its first message), before the ticket's update.
      const opened = pending.findIndex((e, i) => i >= announcedAt && e.name === 'ticket.opened' && e.aggregateId === counted.ticketId);
      pending.splice(opened === -1 ? announcedAt : opened + 1, 0, messageReceived(counted.message));
    } else if (command.recovering && counted.ticket) {
      // Counted by an attempt that did not finish: it may have died before publishing.
      pending.push(messageReceived(counted.message));
      counted.ticket.announceAgain(message.id, this.clock.now());
      pending.push(...counted.ticket.pullDomainEvents());
    }
    await this.events.publishAll(pending);
    return { companyId: line.companyId, ticketId: counted.ticketId, messageId: message.id, replay: !counted.newlyCounted };
  }

  /** Steps 1 and 2. A concurrent replay that stored it first wins; its message is used. */
  private async storeMessage(line: Line, entry: AcceptedInboundMessage, pending: DomainEvent[]): Promise<{ message: Message; ticket: Ticket | null }> {
    const inbound = entry.message;
    const ticket = await this.openTicketOf(line, inbound, entry.messageId, pending);
    const message = Message.receive({
      id: entry.messageId,
      companyId: line.companyId,
      ticketId: ticket.id,
      integrationId: line.id,
      twilioSid: inbound.messageSid,
      body: inbound.body,
      media: inbound.media,
      extras: inbound.extras,
      // When Twilio handed it over, not when it was filed: the conversation's order. Lanes file
      // a contact's messages in acceptance order, so a later message never sorts before the
      // last one counted, even when two instances' clocks disagree or a millisecond is shared.
      now: notBefore(entry.acceptedAt, ticket.lastInboundAt),
    });
    try {
      await this.messages.save(message);
      message.pullDomainEvents(); // announced once counted (execute)
      return { message, ticket };
    } catch (error) {
      // A concurrent replay stored it first: same id (ConcurrencyError on insert), or an
      // older message of this SID stored under another id (DuplicateMessageError).
      if (!(error instanceof DuplicateMessageError) && !(error instanceof ConcurrencyError)) throw error;
      const winner =
        (await this.messages.findById(line.companyId, entry.messageId)) ?? (await this.messages.findByTwilioSid(line.id, inbound.messageSid));
      if (!winner) throw error;
      return { message: winner, ticket: null };
    }
  }

  /** The contact's non-closed ticket, opening one when there is none (at most one exists). */
  private async openTicketOf(line: Line, inbound: InboundWhatsAppMessage, messageId: string, pending: DomainEvent[]): Promise<Ticket> {
    for (let attempt = 1; ; attempt += 1) {
      const open = await this.tickets.findOpenByContact(line.companyId, line.id, inbound.from);
      if (open) return open;
      const ticket = Ticket.open({
        id: this.ids.newId(),
        companyId: line.companyId,
        integrationId: line.id,
        contactNumber: inbound.from,
        profileName: inbound.profileName,
        waId: inbound.waId,
        openedForMessageId: messageId,
        now: this.clock.now(),
      });
      try {
        await this.tickets.save(ticket);
        pending.push(...ticket.pullDomainEvents());
        return ticket;
      } catch (error) {
        // Someone opened it first (another message of this contact): use theirs.
        if (!(error instanceof OpenTicketExistsError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /** Step 3, exactly once per message; moves the message if its ticket was closed meanwhile. */
  private async countOnTicket(
    line: Line,
    initial: Message,
    /** The message's ticket as just read or opened, saving a read on the common path. */
    loaded: Ticket | null,
    inbound: InboundWhatsAppMessage,
    pending: DomainEvent[],
  ): Promise<{ ticketId: string; newlyCounted: boolean; message: Message; ticket?: Ticket }> {
    let message = initial;
    let preloaded = loaded?.id === message.ticketId ? loaded : null;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const ticket = preloaded ?? (await this.tickets.findById(message.companyId, message.ticketId));
        preloaded = null;
        if (ticket?.hasCounted(message.id)) return { ticketId: ticket.id, newlyCounted: false, message, ticket };
        if (!ticket || ticket.isClosed) {
          // Closed after the message was stored for it (or gone): the message belongs to the
          // contact's next ticket, as any message arriving after the close would.
          const next = await this.openTicketOf(line, inbound, message.id, pending);
          message.moveToTicket(next.id, this.clock.now());
          await this.messages.save(message);
          continue;
        }
        ticket.recordInbound({
          messageId: message.id,
          preview: previewOf(inbound),
          at: message.toSnapshot().createdAt,
          profileName: inbound.profileName,
          waId: inbound.waId,
        });
        await this.tickets.save(ticket);
        pending.push(...ticket.pullDomainEvents());
        if (ticket.wasOpenedFor(message.id) && !pending.some((e) => e.name === 'ticket.opened' && e.aggregateId === ticket.id)) {
          // An attempt that died opened this ticket for this message, and never announced it.
          ticket.announceAgain(message.id, this.clock.now());
          pending.push(...ticket.pullDomainEvents());
        }
        return { ticketId: ticket.id, newlyCounted: true, message };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
        // A concurrent writer changed the ticket (or moved the message): read both again.
        message = (await this.messages.findById(message.companyId, message.id)) ?? message;
      }
    }
  }
}

/** `at`, or just after `previous` when `at` is not later than it. */
function notBefore(at: Date, previous: Date | null): Date {
  return previous !== null && at.getTime() <= previous.getTime() ? new Date(previous.getTime() + 1) : at;
}

/** The announcement of a stored inbound message, as its receive publishes it. */
function messageReceived(message: Message): MessageReceived {
  const snapshot = message.toSnapshot();
  return { name: 'message.received', companyId: snapshot.companyId, aggregateId: snapshot.id, occurredAt: snapshot.createdAt, ticketId: snapshot.ticketId, snapshot };
}
