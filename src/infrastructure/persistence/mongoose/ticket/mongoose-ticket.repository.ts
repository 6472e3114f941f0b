import { Connection, Model, mongo } from 'mongoose';
import { Ticket } from '../../../../domain/ticket/ticket';
import { OpenTicketExistsError, TicketRepository } from '../../../../domain/ticket/ticket.repository';
import { findOwned } from '../owned-document';
import { writeVersioned } from '../versioned-write';
import { toTicket, toTicketDocument } from './ticket.mapper';
import { TicketDocument, openKeyOf, ticketModel } from './ticket.schema';

export class MongooseTicketRepository implements TicketRepository {
  private readonly model: Model<TicketDocument>;
  /** Driver-level collection: writes need exact control (conditional replace, no casting). */
  private readonly collection: mongo.Collection<TicketDocument>;

  constructor(
    connection: Connection,
  ) {
    this.model = ticketModel(connection);
    this.collection = this.model.collection as unknown as mongo.Collection<TicketDocument>;
  }

  async save(ticket: Ticket): Promise<void> {
    const expected = ticket.version;
    const doc = toTicketDocument(ticket, expected + 1);
    await writeVersioned({
      collection: this.collection,
      aggregate: 'ticket',
      doc,
      expectedVersion: expected,
      uniqueConflict: async () => {
        const holder = await this.collection.findOne({ openKey: doc.openKey }, { projection: { _id: 1 } });
        if (!holder || holder._id === doc._id) return null;
        return new OpenTicketExistsError(doc.integrationId, doc.contact.whatsappNumber);
      },
    });
    ticket.markSaved();
  }

  async findById(companyId: string, id: string): Promise<Ticket | null> {
    const doc = await findOwned(this.collection, companyId, id);
    return doc ? toTicket(doc) : null;
  }

  /** The unique `openKey` index serves this lookup (MongoDB and the embedded engine alike). */
  async findOpenByContact(companyId: string, integrationId: string, contactNumber: string): Promise<Ticket | null> {
    const doc = await this.collection.findOne({ openKey: openKeyOf(integrationId, contactNumber), companyId });
    return doc ? toTicket(doc) : null;
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }
}
