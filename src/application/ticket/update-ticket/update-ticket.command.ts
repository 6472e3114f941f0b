import { TicketStatus } from '../../../domain/ticket/ticket-status';

/** An agent moves a ticket along open/pending/closed and/or marks it read. */
export class UpdateTicketCommand {
  constructor(
    readonly companyId: string,
    readonly ticketId: string,
    readonly status: TicketStatus | null,
    readonly markRead: boolean,
  ) {}
}
