import { Container } from 'inversify';
import { GetMessageMediaHandler, GetMessageMediaQuery } from '../../../application/message/get-message-media/get-message-media.query';
import { TOKENS } from '../../../application/ports/tokens';
import { GetTicketHandler, GetTicketQuery } from '../../../application/ticket/get-ticket/get-ticket.query';
import { ListTicketMessagesHandler, ListTicketMessagesQuery } from '../../../application/ticket/list-ticket-messages/list-ticket-messages.query';
import { ListTicketsHandler, ListTicketsQuery } from '../../../application/ticket/list-tickets/list-tickets.query';
import { UpdateTicketCommand } from '../../../application/ticket/update-ticket/update-ticket.command';
import { UpdateTicketHandler } from '../../../application/ticket/update-ticket/update-ticket.handler';
import { TicketMediaController } from '../../../interfaces/http/tickets/ticket-media.controller';
import { TicketsController } from '../../../interfaces/http/tickets/tickets.controller';
import { MongooseTicketReadModel } from '../../persistence/mongoose/read-models/mongoose-ticket.read-model';
import { CoreModule } from '../core-module';
import { CoreDependencies } from '../core-dependencies';

/** The tickets read side (lists, details, messages, media) and ticket status changes. */
export const ticketsModule: CoreModule = {
  name: 'tickets',
  commands: [{ message: UpdateTicketCommand, handler: UpdateTicketHandler }],
  queries: [
    { message: ListTicketsQuery, handler: ListTicketsHandler },
    { message: GetTicketQuery, handler: GetTicketHandler },
    { message: ListTicketMessagesQuery, handler: ListTicketMessagesHandler },
    { message: GetMessageMediaQuery, handler: GetMessageMediaHandler },
  ],
  controllers: [TicketsController, TicketMediaController],
  bind(c: Container, deps: CoreDependencies): void {
    // Reads the collections the ticket and message repositories write (their indexes serve it).
    c.bind(TOKENS.TicketReadModel).toConstantValue(new MongooseTicketReadModel(deps.connection));
    c.bind(ListTicketsHandler).toDynamicValue(() => new ListTicketsHandler(c.get(TOKENS.TicketReadModel)));
    c.bind(GetTicketHandler).toDynamicValue(() => new GetTicketHandler(c.get(TOKENS.TicketReadModel)));
    c.bind(ListTicketMessagesHandler).toDynamicValue(() => new ListTicketMessagesHandler(c.get(TOKENS.TicketReadModel)));
    c.bind(UpdateTicketHandler).toDynamicValue(
      () => new UpdateTicketHandler(c.get(TOKENS.TicketRepository), c.get(TOKENS.Clock), c.get(TOKENS.DomainEventPublisher)),
    );
    c.bind(GetMessageMediaHandler).toDynamicValue(
      () =>
        new GetMessageMediaHandler(c.get(TOKENS.MessageRepository), c.get(TOKENS.IntegrationRepository), c.get(TOKENS.SecretCipher), c.get(TOKENS.TwilioGateway), c.get(TOKENS.AttachmentStore)),
    );
  },
};
