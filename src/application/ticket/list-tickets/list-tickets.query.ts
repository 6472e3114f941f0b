import { TicketStatus } from '../../../domain/ticket/ticket-status';
import { TicketReadModel } from '../../ports/ticket-read-model.port';
import { Page, checkedPageSize, decodeCursor, toPage } from '../pagination';
import { TicketView } from '../ticket.view';

export class ListTicketsQuery {
  constructor(
    readonly companyId: string,
    readonly status: TicketStatus | null,
    readonly integrationId: string | null,
    readonly cursor: string | null,
    readonly limit: number | null,
  ) {}
}

/** The company's tickets, newest activity first, optionally by status and integration. */
export class ListTicketsHandler {
  constructor(private readonly readModel: TicketReadModel) {}

  async execute(query: ListTicketsQuery): Promise<Page<TicketView>> {
    const limit = checkedPageSize(query.limit);
    const after = query.cursor === null ? null : decodeCursor('tickets', query.cursor);
    const filter = {
      ...(query.status === null ? {} : { status: query.status }),
      ...(query.integrationId === null ? {} : { integrationId: query.integrationId }),
    };
    return toPage('tickets', await this.readModel.listTickets(query.companyId, filter, after, limit));
  }
}
