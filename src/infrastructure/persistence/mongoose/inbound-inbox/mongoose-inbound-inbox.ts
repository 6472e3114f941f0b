import { Connection, mongo } from 'mongoose';
import { AcceptedInboundMessage, InboundInbox } from '../../../../application/ports/inbound-inbox.port';
import { InboundWhatsAppMessage } from '../../../../application/message/receive-message/inbound-whatsapp-message';
import { isDuplicateKeyError } from '../mongo-errors';

interface InboxDocument {
  /** The message id (derived from integration and MessageSid): a replay is a duplicate key. */
  _id: string;
  companyId: string;
  integrationId: string;
  message: InboundWhatsAppMessage;
  acceptedAt: Date;
}

/**
 * `inbound_inbox`: accepted messages until they are filed. It holds only the messages of the
 * last moments, so the sweep's query stays cheap even on servers that scan (FerretDB).
 */
export class MongooseInboundInbox implements InboundInbox {
  private readonly collection: mongo.Collection<InboxDocument>;

  constructor(connection: Connection) {
    const db = connection.db;
    if (!db) throw new Error('database connection is not open');
    this.collection = db.collection<InboxDocument>('inbound_inbox');
  }

  async accept(entry: AcceptedInboundMessage): Promise<boolean> {
    try {
      await this.collection.insertOne({
        _id: entry.messageId,
        companyId: entry.companyId,
        integrationId: entry.integrationId,
        message: entry.message,
        acceptedAt: entry.acceptedAt,
      });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async listUnfiled(acceptedBefore: Date, limit: number): Promise<AcceptedInboundMessage[]> {
    const docs = await this.collection.find({ acceptedAt: { $lt: acceptedBefore } }).sort({ acceptedAt: 1 }).limit(limit).toArray();
    return docs.map((doc) => ({
      messageId: doc._id,
      companyId: doc.companyId,
      integrationId: doc.integrationId,
      message: doc.message,
      acceptedAt: new Date(doc.acceptedAt),
    }));
  }

  async remove(messageId: string): Promise<void> {
    await this.collection.deleteOne({ _id: messageId });
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ acceptedAt: 1 }, { name: 'inbox_accepted_at' });
  }
}
