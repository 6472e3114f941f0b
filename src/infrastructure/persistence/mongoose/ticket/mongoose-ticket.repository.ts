import { Connection, Model, mongo } from 'mongoose';
import { ConcurrencyError } from '../../../../domain/shared/domain-error';
import { Ticket } from '../../../../domain/ticket/ticket';
import { OpenTicketExistsError, TicketRepository } from '../../../../domain/ticket/ticket.repository';
import { isDuplicateKeyError } from '../mongo-errors';
import { WriteSlots } from '../write-slots';
import { toTicket, toTicketDocument } from './ticket.mapper';
import { TicketDocument, openKeyOf, ticketModel } from './ticket.schema';

export class MongooseTicketRepository implements TicketRepository {
  private readonly model: Model<TicketDocument>;
  /** Driver-level collection: writes need exact control (conditional replace, no casting). */
  private readonly collection: mongo.Collection<TicketDocument>;

  constructor(
    connection: Connection,
    private readonly slots: WriteSlots = WriteSlots.none(),
  ) {
    this.model = ticketModel(connection);
    this.collection = this.model.collection as unknown as mongo.Collection<TicketDocument>;
  }

  async save(ticket: Ticket): Promise<void> {
    const expected = ticket.version;
    const doc = toTicketDocument(ticket, expected + 1);
    try {
      if (expected === 0) {
        await this.collection.insertOne(doc);
      } else {
        if (!(await this.slots.take('tickets', doc._id, expected + 1))) throw new ConcurrencyError('ticket', doc._id);
        const { _id, ...fields } = doc;
        // $set, not replace: fields the aggregate does not know (leases, outbox state) survive.
        const result = await this.collection.updateOne({ _id, companyId: doc.companyId, version: expected }, { $set: fields });
        if (result.matchedCount === 0) throw new ConcurrencyError('ticket', doc._id);
      }
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const holder = await this.collection.findOne({ openKey: doc.openKey }, { projection: { _id: 1 } });
      if (holder && holder._id !== doc._id) throw new OpenTicketExistsError(doc.integrationId, doc.contact.whatsappNumber);
      throw new ConcurrencyError('ticket', doc._id);
    }
    ticket.markSaved();
  }

  async findById(companyId: string, id: string): Promise<Ticket | null> {
    const doc = await this.collection.findOne({ _id: id, companyId });
    return doc ? toTicket(doc) : null;
  }

  async findOpenByContact(companyId: string, integrationId: string, contactNumber: string): Promise<Ticket | null> {
    const doc = await this.collection.findOne({ openKey: openKeyOf(integrationId, contactNumber), companyId });
    return doc ? toTicket(doc) : null;
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }
}
