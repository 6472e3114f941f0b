import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { Message } from '../domain/message/message';
import { Ticket } from '../domain/ticket/ticket';
import { toMessageDocument } from '../infrastructure/persistence/mongoose/message/message.mapper';
import { messageModel } from '../infrastructure/persistence/mongoose/message/message.schema';
import { toTicketDocument } from '../infrastructure/persistence/mongoose/ticket/ticket.mapper';
import { ticketModel } from '../infrastructure/persistence/mongoose/ticket/ticket.schema';

/**
 * Fills a service database with a company's history: `tickets` closed conversations of other
 * contacts, `messages` inbound messages spread over them, stored as the repositories store them
 * (in batches, straight into the collections: seeding is not what is measured).
 */
export async function seedHistory(
  connection: Connection,
  input: { readonly companyId: string; readonly integrationId: string; readonly tickets: number; readonly messages: number },
  log: (line: string) => void,
): Promise<void> {
  const ticketDocs = ticketModel(connection).collection;
  const messageDocs = messageModel(connection).collection;
  const perTicket = Math.ceil(input.messages / Math.max(input.tickets, 1));
  const startedAt = Date.now();
  const day = 24 * 3_600_000;
  let messagesLeft = input.messages;
  const BATCH_TICKETS = 200;
  for (let first = 0; first < input.tickets; first += BATCH_TICKETS) {
    const tickets: object[] = [];
    const messages: object[] = [];
    for (let t = first; t < Math.min(first + BATCH_TICKETS, input.tickets); t++) {
      const openedAt = new Date(Date.now() - 30 * day + t * 60_000);
      const ticket = Ticket.open({
        id: randomBytes(12).toString('hex'),
        companyId: input.companyId,
        integrationId: input.integrationId,
        contactNumber: `+5521${String(t).padStart(9, '0')}`,
        now: openedAt,
      });
      for (let m = 0; m < perTicket && messagesLeft > 0; m++, messagesLeft--) {
        const at = new Date(openedAt.getTime() + m * 1000);
        const message = Message.receive({
          id: randomBytes(12).toString('hex'),
          companyId: input.companyId,
          ticketId: ticket.id,
          integrationId: input.integrationId,
          twilioSid: `SM${randomBytes(16).toString('hex')}`,
          body: `Earlier message ${m} of an old conversation, about an order that arrived late.`,
          media: [],
          now: at,
        });
        ticket.recordInbound({ messageId: message.id, preview: 'Earlier message', at });
        messages.push(toMessageDocument(message, 1));
      }
      ticket.changeStatus('closed', new Date(openedAt.getTime() + day));
      tickets.push(toTicketDocument(ticket, 1));
    }
    await ticketDocs.insertMany(tickets as never[], { ordered: false });
    if (messages.length > 0) await messageDocs.insertMany(messages as never[], { ordered: false });
  }
  log(`[bench] seeded ${input.tickets} tickets and ${input.messages} messages in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}
