import { ConcurrencyError, NotFoundError } from '../../../domain/shared/domain-error';
import { TicketRepository } from '../../../domain/ticket/ticket.repository';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { TicketView, toTicketView } from '../ticket.view';
import { UpdateTicketCommand } from './update-ticket.command';

/**
 * Stale-version retries. Webhooks bump a busy ticket often (every inbound message), so a
 * write based on a read from a moment ago can lose; the change is re-applied on a fresh read.
 */
const MAX_ATTEMPTS = 5;

export class UpdateTicketHandler {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly clock: Clock,
    private readonly events: DomainEventPublisher,
  ) {}

  async execute(command: UpdateTicketCommand): Promise<TicketView> {
    for (let attempt = 1; ; attempt += 1) {
      const ticket = await this.tickets.findById(command.companyId, command.ticketId);
      if (!ticket) throw new NotFoundError('ticket', command.ticketId);
      const now = this.clock.now();
      // The domain refuses what the transition table forbids (closed is final → 409).
      if (command.status !== null) ticket.changeStatus(command.status, now);
      if (command.markRead) ticket.markRead(now);
      // Pulled before saving only to skip a write that would change nothing.
      const events = ticket.pullDomainEvents();
      if (events.length === 0) return toTicketView(ticket);
      try {
        await this.tickets.save(ticket);
      } catch (error) {
        if (error instanceof ConcurrencyError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      await this.events.publishAll(events);
      return toTicketView(ticket);
    }
  }
}
