import { Ticket } from './ticket';

export interface TicketListFilter {
  readonly status?: 'open' | 'pending' | 'closed';
  readonly integrationId?: string;
}

/**
 * `save` inserts or updates with optimistic concurrency (ConcurrencyError when stale) and
 * refuses a second non-closed ticket for one (integration, contact) with OpenTicketExistsError.
 */
export interface TicketRepository {
  save(ticket: Ticket): Promise<void>;
  findById(companyId: string, id: string): Promise<Ticket | null>;
  findOpenByContact(companyId: string, integrationId: string, contactNumber: string): Promise<Ticket | null>;
}

export class OpenTicketExistsError extends Error {
  constructor(readonly integrationId: string, readonly contactNumber: string) {
    super('a non-closed ticket already exists for this contact');
    this.name = 'OpenTicketExistsError';
  }
}
