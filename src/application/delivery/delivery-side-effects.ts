import { IntegrationRepository } from '../../domain/integration/integration.repository';
import { ConcurrencyError, DomainError } from '../../domain/shared/domain-error';
import { TicketRepository } from '../../domain/ticket/ticket.repository';
import { Clock } from '../ports/clock.port';
import { DomainEventPublisher } from '../ports/domain-event-publisher.port';
import { NotificationStore } from '../ports/notification.port';
import { notifyAdminsOfFailure } from '../integration/integration-alerts';

const MAX_SAVE_ATTEMPTS = 8;

export interface SideEffectDeps {
  readonly tickets: TicketRepository;
  readonly integrations: IntegrationRepository;
  readonly notifications: NotificationStore;
  readonly events: DomainEventPublisher;
  readonly clock: Clock;
}

/** Twilio answered 21610: the contact opted out; sends are refused until they write again. */
export async function markContactOptedOut(deps: SideEffectDeps, companyId: string, ticketId: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const ticket = await deps.tickets.findById(companyId, ticketId);
    if (!ticket || ticket.contact.optedOut) return;
    ticket.markOptedOut(deps.clock.now());
    try {
      await deps.tickets.save(ticket);
      await deps.events.publishAll(ticket.pullDomainEvents());
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= MAX_SAVE_ATTEMPTS) throw error;
    }
  }
}

/**
 * Twilio refused the integration's credentials (20003): the integration goes to `error` with
 * the reason, and the company's admins are told (once: an integration already in error is
 * left as it is, so a queue of messages failing one after another does not flood them).
 */
export async function markIntegrationAuthFailed(deps: SideEffectDeps, companyId: string, integrationId: string, reason: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const integration = await deps.integrations.findById(companyId, integrationId);
    if (!integration || integration.status === 'error') return;
    // Mid token rotation Twilio may already refuse the old token the send used: not a failure of the integration.
    if (integration.operations.pendingAuthToken) return;
    try {
      integration.markFailed(reason, deps.clock.now());
    } catch (error) {
      if (error instanceof DomainError) return; // e.g. switched off meanwhile: nothing to mark
      throw error;
    }
    try {
      await deps.integrations.save(integration);
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= MAX_SAVE_ATTEMPTS) throw error;
      continue;
    }
    await notifyAdminsOfFailure(deps.notifications, integration);
    await deps.events.publishAll(integration.pullDomainEvents());
    return;
  }
}
