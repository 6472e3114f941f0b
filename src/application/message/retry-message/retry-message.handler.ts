import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { isFailure } from '../../../domain/message/delivery-status';
import { MessageRepository } from '../../../domain/message/message.repository';
import { ConcurrencyError, DomainError, NotFoundError } from '../../../domain/shared/domain-error';
import { TicketRepository } from '../../../domain/ticket/ticket.repository';
import { DeliveryTrigger } from '../../delivery/delivery-trigger';
import { Clock } from '../../ports/clock.port';
import { DeliveryOutbox } from '../../ports/delivery-outbox.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { MessageView } from '../message.view';
import { loadReplyParts, toReplyView } from '../reply.view';
import { assertReplyAllowed } from '../send-message/outbound-send-rules';
import { RetryMessageCommand } from './retry-message.command';

/**
 * Queues a failed/undelivered outbound message again (of a reply of several messages: its
 * failed parts, and only those) with a fresh attempt budget. Exactly one
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
    // A reply of several messages is retried as a whole: its failed parts only (the others were delivered).
    const parts = await loadReplyParts(this.messages, command.companyId, message);
    const failed = parts.filter((part) => part.direction === 'outbound' && isFailure(part.status));
    if (failed.length === 0 || parts.length === 1) message.retry(now);
    else for (const part of failed) part.retry(now);
    const retried = parts.length === 1 ? [message] : failed;
    const ticket = await this.tickets.findById(command.companyId, message.ticketId);
    if (!ticket) throw new NotFoundError('ticket', message.ticketId);
    const integration = await this.integrations.findById(command.companyId, message.integrationId);
    assertReplyAllowed({ ticket, integration, isTemplate: message.template !== null, now });
    for (const part of retried) await this.outbox.enqueue(part);
    for (const part of retried) {
      try {
        await this.messages.save(part);
      } catch (error) {
        if (error instanceof ConcurrencyError) throw new DomainError('MESSAGE.NOT_RETRYABLE', 'conflict', 'the message is already being retried');
        throw error;
      }
      await this.outbox.enqueue(part);
    }
    await this.events.publishAll(retried.flatMap((part) => part.pullDomainEvents()));
    this.delivery.kick();
    return toReplyView(parts);
  }
}
