import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { MessageRepository } from '../../../domain/message/message.repository';
import { ConcurrencyError, DomainError, NotFoundError } from '../../../domain/shared/domain-error';
import { TicketRepository } from '../../../domain/ticket/ticket.repository';
import { DeliveryTrigger } from '../../delivery/delivery-trigger';
import { Clock } from '../../ports/clock.port';
import { DeliveryOutbox } from '../../ports/delivery-outbox.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { MessageView, toMessageView } from '../message.view';
import { assertReplyAllowed } from '../send-message/outbound-send-rules';
import { RetryMessageCommand } from './retry-message.command';

/**
 * Queues a failed/undelivered outbound message again with a fresh attempt budget. Exactly one
 * of several concurrent retries (a double click) re-queues it: the re-queue is a versioned
 * write, and a retry that loses the race, or comes after it, finds the message no longer
 * failed and is refused with 409 MESSAGE.NOT_RETRYABLE. The message is sent once.
 *
 * The outbox's queue entry is written before the message (as for a new reply) and checked
 * again after it: a worker may be removing the entry of the failed message at this moment.
 */
export class RetryMessageHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly tickets: TicketRepository,
    private readonly integrations: IntegrationRepository,
    private readonly clock: Clock,
    private readonly events: DomainEventPublisher,
    private readonly delivery: DeliveryTrigger,
    private readonly outbox: DeliveryOutbox,
  ) {}

  async execute(command: RetryMessageCommand): Promise<MessageView> {
    const message = await this.messages.findById(command.companyId, command.messageId);
    if (!message) throw new NotFoundError('message', command.messageId);
    const now = this.clock.now();
    message.retry(now);
    const ticket = await this.tickets.findById(command.companyId, message.ticketId);
    if (!ticket) throw new NotFoundError('ticket', message.ticketId);
    const integration = await this.integrations.findById(command.companyId, message.integrationId);
    assertReplyAllowed({ ticket, integration, isTemplate: message.template !== null, now });
    await this.outbox.enqueue(message);
    try {
      await this.messages.save(message);
    } catch (error) {
      if (error instanceof ConcurrencyError) throw new DomainError('MESSAGE.NOT_RETRYABLE', 'conflict', 'the message is already being retried');
      throw error;
    }
    await this.outbox.enqueue(message);
    await this.events.publishAll(message.pullDomainEvents());
    this.delivery.kick();
    return toMessageView(message);
  }
}
