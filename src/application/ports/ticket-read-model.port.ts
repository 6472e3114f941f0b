import { TicketListFilter } from '../../domain/ticket/ticket.repository';
import { MessageView } from '../message/message.view';
import { TicketView } from '../ticket/ticket.view';

/** Where a list is ordered: a time and the id that breaks ties between equal times. */
export interface SortKey {
  readonly at: Date;
  readonly id: string;
}

export interface ReadPage<T> {
  readonly items: readonly T[];
  /** The sort key of the last item when more items follow, else null. */
  readonly next: SortKey | null;
}

/**
 * The tickets read side: company-scoped reads of tickets and their messages for the API.
 * Lists are keyset-paginated: `after` is the sort key of the last item already seen.
 */
export interface TicketReadModel {
  /** Newest activity first: (lastActivityAt, id) descending. */
  listTickets(companyId: string, filter: TicketListFilter, after: SortKey | null, limit: number): Promise<ReadPage<TicketView>>;
  getTicket(companyId: string, ticketId: string): Promise<TicketView | null>;
  /** Oldest first: (createdAt, id) ascending. */
  listMessages(companyId: string, ticketId: string, after: SortKey | null, limit: number): Promise<ReadPage<MessageView>>;
}
