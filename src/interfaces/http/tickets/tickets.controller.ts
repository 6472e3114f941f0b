import { Body, Controller, Get, Inject, Param, Patch, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { MessageView } from '../../../application/message/message.view';
import type { Viewer } from '../../../application/ports/notification.port';
import { GetTicketQuery } from '../../../application/ticket/get-ticket/get-ticket.query';
import { ListTicketMessagesQuery } from '../../../application/ticket/list-ticket-messages/list-ticket-messages.query';
import { ListTicketsQuery } from '../../../application/ticket/list-tickets/list-tickets.query';
import { Page } from '../../../application/ticket/pagination';
import { TicketView } from '../../../application/ticket/ticket.view';
import { UpdateTicketCommand } from '../../../application/ticket/update-ticket/update-ticket.command';
import { CurrentViewer, Roles } from '../auth/viewer';
import { parseWith } from '../validation/zod-body';
import { listMessagesQuery, listTicketsQuery, updateTicketBody } from './ticket.schemas';

/**
 * Tickets for agents and admins. The views are the API's shape (the same JSON SSE events
 * carry), so they are answered as they are. GETs never change anything. Documented in
 * `tickets.routes.ts`.
 */
@Controller('tickets')
export class TicketsController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Get()
  @Roles('admin', 'agent')
  async list(@CurrentViewer() viewer: Viewer, @Query() raw: unknown): Promise<Page<TicketView>> {
    const query = parseWith(listTicketsQuery, raw, 'query');
    return this.queries.execute<ListTicketsQuery, Page<TicketView>>(
      new ListTicketsQuery(viewer.companyId, query.status ?? null, query.integrationId ?? null, query.cursor ?? null, query.limit ?? null),
    );
  }

  @Get(':id')
  @Roles('admin', 'agent')
  async get(@CurrentViewer() viewer: Viewer, @Param('id') id: string): Promise<TicketView> {
    return this.queries.execute<GetTicketQuery, TicketView>(new GetTicketQuery(viewer.companyId, id));
  }

  @Patch(':id')
  @Roles('admin', 'agent')
  async update(@CurrentViewer() viewer: Viewer, @Param('id') id: string, @Body() raw: unknown): Promise<TicketView> {
    const body = parseWith(updateTicketBody, raw);
    return this.commands.execute<UpdateTicketCommand, TicketView>(new UpdateTicketCommand(viewer.companyId, id, body.status ?? null, body.read === true));
  }

  @Get(':id/messages')
  @Roles('admin', 'agent')
  async messages(@CurrentViewer() viewer: Viewer, @Param('id') id: string, @Query() raw: unknown): Promise<Page<MessageView>> {
    const query = parseWith(listMessagesQuery, raw, 'query');
    return this.queries.execute<ListTicketMessagesQuery, Page<MessageView>>(
      new ListTicketMessagesQuery(viewer.companyId, id, query.cursor ?? null, query.limit ?? null),
    );
  }
}
