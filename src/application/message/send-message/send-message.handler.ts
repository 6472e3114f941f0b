import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { Message } from '../../../domain/message/message';
import { MessageRepository } from '../../../domain/message/message.repository';
import { ConcurrencyError, NotFoundError } from '../../../domain/shared/domain-error';
import { DomainEvent } from '../../../domain/shared/domain-event';
import { TicketRepository } from '../../../domain/ticket/ticket.repository';
import { DeliveryTrigger } from '../../delivery/delivery-trigger';
import { Clock, IdGenerator } from '../../ports/clock.port';
import { DeliveryOutbox } from '../../ports/delivery-outbox.port';
import { TemplateSendCheck } from '../../template/template-catalogue';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { MessageView, toMessageView } from '../message.view';
import { assertReplyAllowed } from './outbound-send-rules';
import { SendMessageCommand } from './send-message.command';

const MAX_TICKET_SAVES = 8;

/**
 * Accepts a reply for delivery: checks the rules, stores the message `queued` (the durable
 * outbox the delivery workers drain), updates the ticket's summary and publishes. Twilio is
 * not called here; the answer is 202 with the queued message.
 *
 * The outbox's queue entry is written before the message: a crash in between leaves an
 * entry without a message (dropped after a grace period), never a queued message the
 * workers cannot find.
 */
export class SendMessageHandler {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly integrations: IntegrationRepository,
    private readonly messages: MessageRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly events: DomainEventPublisher,
    private readonly delivery: DeliveryTrigger,
    private readonly outbox: DeliveryOutbox,
    /** Template sends: the template exists, is approved when the window is closed, its variables are given. */
    private readonly templates?: TemplateSendCheck,
  ) {}

  async execute(command: SendMessageCommand): Promise<MessageView> {
    const ticket = await this.tickets.findById(command.companyId, command.ticketId);
    if (!ticket) throw new NotFoundError('ticket', command.ticketId);
    const now = this.clock.now();
    const template = 'contentSid' in command.content ? { contentSid: command.content.contentSid, contentVariables: { ...command.content.contentVariables } } : null;
    const integration = await this.integrations.findById(command.companyId, ticket.integrationId);
    const allowed = assertReplyAllowed({ ticket, integration, isTemplate: template !== null, now });
    if (template && this.templates) {
      await this.templates.assertSendable({ integration: allowed, ...template, outsideWindow: !ticket.isWithinCustomerServiceWindow(now) });
    }

    const message = Message.queueOutbound({
      id: this.ids.newId(),
      companyId: command.companyId,
      ticketId: ticket.id,
      integrationId: ticket.integrationId,
      senderUserId: command.senderUserId,
      body: 'body' in command.content ? command.content.body : null,
      template,
      now,
    });
    await this.outbox.enqueue(message);
    await this.messages.save(message);
    const events: DomainEvent[] = [...message.pullDomainEvents(), ...(await this.summarizeOnTicket(command, message, now))];
    await this.events.publishAll(events);
    this.delivery.kick();
    return toMessageView(message);
  }

  /** The ticket's last-message summary; retried on a concurrent ticket change (an inbound message). */
  private async summarizeOnTicket(command: SendMessageCommand, message: Message, now: Date): Promise<DomainEvent[]> {
    const preview = message.template ? `[template ${message.template.contentSid}]` : message.body;
    for (let attempt = 1; ; attempt += 1) {
      const ticket = await this.tickets.findById(command.companyId, command.ticketId);
      if (!ticket) return [];
      ticket.recordOutbound(preview, now);
      try {
        await this.tickets.save(ticket);
        return ticket.pullDomainEvents();
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_TICKET_SAVES) throw error;
      }
    }
  }
}
