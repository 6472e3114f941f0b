import { NotFoundError } from '../../../domain/shared/domain-error';
import { TicketReadModel } from '../../ports/ticket-read-model.port';
import { TicketView } from '../ticket.view';

export class GetTicketQuery {
  constructor(
    readonly companyId: string,
    readonly ticketId: string,
  ) {}
}

export class GetTicketHandler {
  constructor(private readonly readModel: TicketReadModel) {}

  async execute(query: GetTicketQuery): Promise<TicketView> {
    const ticket = await this.readModel.getTicket(query.companyId, query.ticketId);
    if (!ticket) throw new NotFoundError('ticket', query.ticketId);
    return ticket;
  }
}
