import { TwilioIntegration } from '../../../domain/integration/twilio-integration';
import { isFailure } from '../../../domain/message/delivery-status';
import { Message } from '../../../domain/message/message';
import { MessageRepository } from '../../../domain/message/message.repository';
import { ConcurrencyError } from '../../../domain/shared/domain-error';
import { DomainEvent } from '../../../domain/shared/domain-event';
import { TicketRepository } from '../../../domain/ticket/ticket.repository';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { NotificationStore } from '../../ports/notification.port';
import { notifySenderOfFailedMessage } from '../message-failure-alerts';
import { OPTED_OUT_ERROR_CODE, describeMessageError } from '../twilio-error-codes';
import { TwilioWebhookAuthenticator } from '../webhooks/twilio-webhook-authenticator';
import { TwilioStatusCallback, parseStatusCallback } from './twilio-status-callback';
import { UpdateMessageStatusCommand, UpdateMessageStatusResult } from './update-message-status.command';

const MAX_ATTEMPTS = 8;

/**
 * Applies a delivery report. Forward-only (the aggregate ignores a late `sent` after
 * `delivered`, repeats, and anything after a failure), so callbacks in any order and any
 * number of times end in the same state. A callback may arrive before the delivery worker
 * stored Twilio's answer: the `messageId` in our StatusCallback URL still finds the message,
 * and its SID is recorded here.
 */
export class UpdateMessageStatusHandler {
  constructor(
    private readonly authenticator: TwilioWebhookAuthenticator,
    private readonly messages: MessageRepository,
    private readonly tickets: TicketRepository,
    private readonly notifications: NotificationStore,
    private readonly clock: Clock,
    private readonly events: DomainEventPublisher,
  ) {}

  async execute(command: UpdateMessageStatusCommand): Promise<UpdateMessageStatusResult> {
    const integration = await this.authenticator.authenticate(command.request, 'status');
    const callback = parseStatusCallback(command.request.params);
    const pending: DomainEvent[] = [];

    const applied = await this.applyToMessage(integration, command, callback, pending);
    if (callback.errorCode === OPTED_OUT_ERROR_CODE && applied) await this.markContactOptedOut(applied, pending);
    await this.events.publishAll(pending);
    if (applied && isFailure(applied.status)) await notifySenderOfFailedMessage(this.notifications, applied);
    return { applied: applied !== null };
  }

  /** The message after the report, or null when the report changed nothing. */
  private async applyToMessage(
    integration: TwilioIntegration,
    command: UpdateMessageStatusCommand,
    callback: TwilioStatusCallback,
    pending: DomainEvent[],
  ): Promise<Message | null> {
    if (callback.status === null) return null;
    for (let attempt = 1; ; attempt += 1) {
      const message = await this.find(integration, command.messageId, callback.messageSid);
      if (!message || message.direction !== 'outbound') return null;
      // A late report of an earlier send (the message was retried since) is not this send's.
      if (message.twilioSid === null && command.attempt !== null && command.attempt !== String(message.lastAttemptAt?.getTime())) return null;
      const now = this.clock.now();
      let changed = false;
      if (message.twilioSid === null) {
        message.recordAccepted(callback.messageSid, now);
        changed = true;
      }
      const error = isFailure(callback.status) ? { code: callback.errorCode, message: describeMessageError(callback.errorCode, callback.errorMessage) } : undefined;
      changed = message.recordDelivery(callback.status, now, error) || changed;
      if (!changed) return null;
      try {
        await this.messages.save(message);
        pending.push(...message.pullDomainEvents());
        return message;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * By our id when the callback URL carries it (and it belongs to this integration and this
   * send), else by Twilio's SID.
   */
  private async find(integration: TwilioIntegration, messageId: string | null, messageSid: string): Promise<Message | null> {
    if (messageId) {
      const byId = await this.messages.findById(integration.companyId, messageId);
      if (byId && byId.integrationId === integration.id && (byId.twilioSid === null || byId.twilioSid === messageSid)) return byId;
    }
    return this.messages.findByTwilioSid(integration.id, messageSid);
  }

  private async markContactOptedOut(message: Message, pending: DomainEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const ticket = await this.tickets.findById(message.companyId, message.ticketId);
      if (!ticket || ticket.contact.optedOut) return;
      ticket.markOptedOut(this.clock.now());
      try {
        await this.tickets.save(ticket);
        pending.push(...ticket.pullDomainEvents());
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}
