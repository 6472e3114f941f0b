import { NotFoundError } from '../../../domain/shared/domain-error';
import { MessageView } from '../../message/message.view';
import { TicketReadModel } from '../../ports/ticket-read-model.port';
import { Page, checkedPageSize, decodeCursor, toPage } from '../pagination';

export class ListTicketMessagesQuery {
  constructor(
    readonly companyId: string,
    readonly ticketId: string,
    readonly cursor: string | null,
    readonly limit: number | null,
  ) {}
}

/**
 * A ticket's conversation, oldest first. Reading never marks the ticket read: GET has no
 * side effects, so an agent marks it read explicitly (PATCH /tickets/:id {"read": true}).
 */
export class ListTicketMessagesHandler {
  constructor(private readonly readModel: TicketReadModel) {}

  async execute(query: ListTicketMessagesQuery): Promise<Page<MessageView>> {
    const limit = checkedPageSize(query.limit);
    const after = query.cursor === null ? null : decodeCursor('messages', query.cursor);
    // Another company's (or no) ticket is a 404, not an empty list.
    if (!(await this.readModel.getTicket(query.companyId, query.ticketId))) throw new NotFoundError('ticket', query.ticketId);
    return toPage('messages', await this.readModel.listMessages(query.companyId, query.ticketId, after, limit));
  }
}
