import { Connection, Model, mongo } from 'mongoose';
import { Ticket } from '../../../../domain/ticket/ticket';
import { OpenTicketExistsError, TicketRepository } from '../../../../domain/ticket/ticket.repository';
import { isDuplicateKeyError } from '../mongo-errors';
import { findOwned } from '../owned-document';
import { writeVersioned } from '../versioned-write';
import { WriteSlots } from '../write-slots';
import { toTicket, toTicketDocument } from './ticket.mapper';
import { TicketDocument, openKeyOf, ticketModel } from './ticket.schema';

/** Points from `<integrationId>:<contact>` to the contact's newest ticket. */
interface TicketHeadDocument {
  _id: string;
  ticketId: string;
}

export class MongooseTicketRepository implements TicketRepository {
  private readonly model: Model<TicketDocument>;
  /** Driver-level collection: writes need exact control (conditional replace, no casting). */
  private readonly collection: mongo.Collection<TicketDocument>;
  /**
   * The contact's newest ticket by primary key, so the webhook's "open ticket of this
   * contact" is two `_id` reads instead of a query on `openKey` (which FerretDB v1 answers
   * with a collection scan). Only a hint: the unique `openKey` stays the rule, and a missing
   * or stale head is repaired when an insert runs into that rule.
   */
  private readonly heads: mongo.Collection<TicketHeadDocument>;

  constructor(
    connection: Connection,
    private readonly slots: WriteSlots = WriteSlots.none(),
  ) {
    this.model = ticketModel(connection);
    this.collection = this.model.collection as unknown as mongo.Collection<TicketDocument>;
    const db = connection.db;
    if (!db) throw new Error('database connection is not open');
    this.heads = db.collection<TicketHeadDocument>('ticket_heads');
  }

  async save(ticket: Ticket): Promise<void> {
    const expected = ticket.version;
    const doc = toTicketDocument(ticket, expected + 1);
    await writeVersioned({
      collection: this.collection,
      slots: this.slots,
      aggregate: 'ticket',
      doc,
      expectedVersion: expected,
      uniqueConflict: async () => {
        const holder = await this.collection.findOne({ openKey: doc.openKey }, { projection: { _id: 1 } });
        if (!holder || holder._id === doc._id) return null;
        await this.pointHead(doc.openKey, holder._id);
        return new OpenTicketExistsError(doc.integrationId, doc.contact.whatsappNumber);
      },
    });
    if (expected === 0 && doc.status !== 'closed') await this.pointHead(doc.openKey, doc._id);
    ticket.markSaved();
  }

  async findById(companyId: string, id: string): Promise<Ticket | null> {
    const doc = await findOwned(this.collection, companyId, id);
    return doc ? toTicket(doc) : null;
  }

  async findOpenByContact(companyId: string, integrationId: string, contactNumber: string): Promise<Ticket | null> {
    const openKey = openKeyOf(integrationId, contactNumber);
    const head = await this.heads.findOne({ _id: openKey });
    if (!head) return null;
    const doc = await findOwned(this.collection, companyId, head.ticketId);
    return doc && doc.openKey === openKey ? toTicket(doc) : null;
  }

  private async pointHead(openKey: string, ticketId: string): Promise<void> {
    try {
      await this.heads.updateOne({ _id: openKey }, { $set: { ticketId } }, { upsert: true });
    } catch (error) {
      // Two upserts raced to create the head: it exists now, so a plain update lands.
      if (!isDuplicateKeyError(error)) throw error;
      await this.heads.updateOne({ _id: openKey }, { $set: { ticketId } });
    }
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }
}
