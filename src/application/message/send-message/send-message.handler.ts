import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { Message } from '../../../domain/message/message';
import { MessageRepository } from '../../../domain/message/message.repository';
import { planReplyParts, replyPartId } from '../../../domain/message/reply';
import { ConcurrencyError, NotFoundError } from '../../../domain/shared/domain-error';
import { DomainEvent } from '../../../domain/shared/domain-event';
import { TicketRepository } from '../../../domain/ticket/ticket.repository';
import { DeliveryTrigger } from '../../delivery/delivery-trigger';
import { Clock, IdGenerator } from '../../ports/clock.port';
import { DeliveryOutbox } from '../../ports/delivery-outbox.port';
import { TemplateSendCheck } from '../../template/template-catalogue';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { MessageView } from '../message.view';
import { toReplyView } from '../reply.view';
import { assertReplyAllowed } from './outbound-send-rules';
import { SendMessageCommand } from './send-message.command';

const MAX_TICKET_SAVES = 8;

/**
 * Accepts a reply for delivery (several messages when it is long or carries attachments,
 * see `domain/message/reply.ts`): checks the rules, stores the message `queued` (the durable
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

    const planned = 'body' in command.content ? planReplyParts({ body: command.content.body, media: command.content.media ?? [] }) : [{ body: '', media: [] }];
    const replyId = this.ids.newId();
    const parts = planned.map((part, index) =>
      Message.queueOutbound({
        id: replyPartId(replyId, index + 1),
        companyId: command.companyId,
        ticketId: ticket.id,
        integrationId: ticket.integrationId,
        senderUserId: command.senderUserId,
        body: part.body,
        media: part.media,
        template,
        reply: planned.length > 1 ? { replyId, part: index + 1, parts: planned.length } : null,
        now,
      }),
    );
    // Every part's queue entry before any part: the outbox never holds a later part without its earlier ones.
    for (const part of parts) await this.outbox.enqueue(part);
    for (const part of parts) await this.messages.save(part);
    const events: DomainEvent[] = [...parts.flatMap((part) => part.pullDomainEvents()), ...(await this.summarizeOnTicket(command, parts, now))];
    await this.events.publishAll(events);
    this.delivery.kick();
    return toReplyView(parts);
  }

  /** The ticket's last-message summary; retried on a concurrent ticket change (an inbound message). */
  private async summarizeOnTicket(command: SendMessageCommand, parts: readonly Message[], now: Date): Promise<DomainEvent[]> {
    const message = parts[0]!;
    const preview = message.template
      ? `[template ${message.template.contentSid}]`
      : message.body || `[${parts.length} attachment${parts.length === 1 ? '' : 's'}]`;
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
