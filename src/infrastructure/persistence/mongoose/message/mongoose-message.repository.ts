import { Connection, Model, mongo } from 'mongoose';
import { Message } from '../../../../domain/message/message';
import { DuplicateMessageError, MessageRepository } from '../../../../domain/message/message.repository';
import { ConcurrencyError } from '../../../../domain/shared/domain-error';
import { isDuplicateKeyError } from '../mongo-errors';
import { WriteSlots } from '../write-slots';
import { toMessage, toMessageDocument } from './message.mapper';
import { MessageDocument, messageModel } from './message.schema';

export class MongooseMessageRepository implements MessageRepository {
  private readonly model: Model<MessageDocument>;
  /** Driver-level collection: writes need exact control (conditional replace, no casting). */
  private readonly collection: mongo.Collection<MessageDocument>;

  constructor(
    connection: Connection,
    private readonly slots: WriteSlots = WriteSlots.none(),
  ) {
    this.model = messageModel(connection);
    this.collection = this.model.collection as unknown as mongo.Collection<MessageDocument>;
  }

  async save(message: Message): Promise<void> {
    const expected = message.version;
    const doc = toMessageDocument(message, expected + 1);
    try {
      if (expected === 0) {
        await this.collection.insertOne(doc);
      } else {
        if (!(await this.slots.take('messages', doc._id, expected + 1))) throw new ConcurrencyError('message', doc._id);
        const { _id, ...fields } = doc;
        // $set, not replace: fields the aggregate does not know (leases, outbox state) survive.
        const result = await this.collection.updateOne({ _id, companyId: doc.companyId, version: expected }, { $set: fields });
        if (result.matchedCount === 0) throw new ConcurrencyError('message', doc._id);
      }
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const holder = await this.collection.findOne({ integrationId: doc.integrationId, sidKey: doc.sidKey }, { projection: { _id: 1 } });
      if (holder && holder._id !== doc._id) throw new DuplicateMessageError(doc.integrationId, doc.sidKey);
      throw new ConcurrencyError('message', doc._id);
    }
    message.markSaved();
  }

  async findById(companyId: string, id: string): Promise<Message | null> {
    const doc = await this.collection.findOne({ _id: id, companyId });
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
