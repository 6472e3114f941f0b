import { Connection, Model, mongo } from 'mongoose';
import { Message } from '../../../../domain/message/message';
import { DuplicateMessageError, MessageRepository } from '../../../../domain/message/message.repository';
import { findOwned } from '../owned-document';
import { writeVersioned } from '../versioned-write';
import { toMessage, toMessageDocument } from './message.mapper';
import { StoredMessageDocument, messageModel } from './message.schema';

export class MongooseMessageRepository implements MessageRepository {
  private readonly model: Model<StoredMessageDocument>;
  /** Driver-level collection: writes need exact control (conditional replace, no casting). */
  private readonly collection: mongo.Collection<StoredMessageDocument>;

  constructor(
    connection: Connection,
  ) {
    this.model = messageModel(connection);
    this.collection = this.model.collection as unknown as mongo.Collection<StoredMessageDocument>;
  }

  async save(message: Message): Promise<void> {
    const expected = message.version;
    const fields = toMessageDocument(message, expected + 1);
    // A new outbound message has no lease yet; later saves never touch outbox fields.
    const doc: StoredMessageDocument = expected === 0 && fields.direction === 'outbound' ? { ...fields, leaseExpiresAt: null } : fields;
    await writeVersioned({
      collection: this.collection,
      aggregate: 'message',
      doc,
      expectedVersion: expected,
      uniqueConflict: async () => {
        const holder = await this.collection.findOne({ integrationId: doc.integrationId, sidKey: doc.sidKey }, { projection: { _id: 1 } });
        return holder && holder._id !== doc._id ? new DuplicateMessageError(doc.integrationId, doc.sidKey) : null;
      },
    });
    message.markSaved();
  }

  async findById(companyId: string, id: string): Promise<Message | null> {
    const doc = await findOwned(this.collection, companyId, id);
    return doc ? toMessage(doc) : null;
  }

  async findByTwilioSid(integrationId: string, twilioSid: string): Promise<Message | null> {
    const doc = await this.collection.findOne({ integrationId, sidKey: twilioSid });
    return doc ? toMessage(doc) : null;
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }
}
