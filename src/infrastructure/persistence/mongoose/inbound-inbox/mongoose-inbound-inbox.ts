import { Connection, mongo } from 'mongoose';
import { AcceptedInboundMessage, InboundInbox, laneOf } from '../../../../application/ports/inbound-inbox.port';
import { InboundWhatsAppMessage } from '../../../../application/message/receive-message/inbound-whatsapp-message';
import { isDuplicateKeyError } from '../mongo-errors';

interface InboxDocument {
  /** The message id (derived from integration and MessageSid): a replay is a duplicate key. */
  _id: string;
  companyId: string;
  integrationId: string;
  message: InboundWhatsAppMessage;
  acceptedAt: Date;
  lane: string;
  /** Place in the lane: numbers increase in acceptance order (a replay may skip one). */
  laneSeq: number;
}

/** One per conversation: its acceptance counter and who files it now. */
interface LaneDocument {
  _id: string;
  accepted: number;
  holder: string | null;
  leaseUntil: Date | null;
}

/**
 * `inbound_inbox`: accepted messages until they are filed (only those of the last moments), and
 * `inbound_lanes`: per conversation, the `$inc` counter that orders its messages and the lease
 * of the instance filing it.
 */
export class MongooseInboundInbox implements InboundInbox {
  private readonly collection: mongo.Collection<InboxDocument>;
  private readonly lanes: mongo.Collection<LaneDocument>;

  constructor(connection: Connection) {
    const db = connection.db;
    if (!db) throw new Error('database connection is not open');
    this.collection = db.collection<InboxDocument>('inbound_inbox');
    this.lanes = db.collection<LaneDocument>('inbound_lanes');
  }

  async accept(entry: AcceptedInboundMessage): Promise<boolean> {
    const lane = laneOf(entry);
    const laneSeq = await this.nextInLane(lane);
    try {
      await this.collection.insertOne({
        _id: entry.messageId,
        companyId: entry.companyId,
        integrationId: entry.integrationId,
        message: entry.message,
        acceptedAt: entry.acceptedAt,
        lane,
        laneSeq,
      });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async listUnfiled(acceptedBefore: Date, limit: number): Promise<AcceptedInboundMessage[]> {
    const docs = await this.collection.find({ acceptedAt: { $lt: acceptedBefore } }).sort({ acceptedAt: 1 }).limit(limit).toArray();
    return docs.map(toAccepted);
  }

  async listLane(lane: string, limit: number): Promise<AcceptedInboundMessage[]> {
    const docs = await this.collection.find({ lane }).sort({ laneSeq: 1 }).limit(limit).toArray();
    return docs.map(toAccepted);
  }

  async hasWaiting(lane: string): Promise<boolean> {
    return (await this.collection.findOne({ lane }, { projection: { _id: 1 } })) !== null;
  }

  async claimLane(lane: string, holder: string, until: Date, now: Date): Promise<boolean> {
    // One conditional update: free, expired, or already ours. Of concurrent claimers one matches.
    const claim = () =>
      this.lanes.updateOne({ _id: lane, $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }, { holder }] }, { $set: { holder, leaseUntil: until } });
    if ((await claim()).matchedCount === 1) return true;
    // Held by another instance: the usual reason, answered by a read (no write, no oplog entry).
    if ((await this.lanes.findOne({ _id: lane }, { projection: { _id: 1 } })) !== null) return false;
    // A lane without its document (entries older than lanes) is created free, then claimed.
    const created = await this.lanes.updateOne({ _id: lane }, { $setOnInsert: { accepted: 0, holder: null, leaseUntil: null } }, { upsert: true }).catch((error: unknown) => {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    });
    return created !== null && created.upsertedCount === 1 && (await claim()).matchedCount === 1;
  }

  async releaseLane(lane: string, holder: string): Promise<void> {
    await this.lanes.updateOne({ _id: lane, holder }, { $set: { holder: null, leaseUntil: null } });
  }

  async remove(messageId: string): Promise<void> {
    await this.collection.deleteOne({ _id: messageId });
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ acceptedAt: 1 }, { name: 'inbox_accepted_at' });
    await this.collection.createIndex({ lane: 1, laneSeq: 1 }, { name: 'inbox_lane_order' });
  }

  /** One `$inc` on the lane's counter (created on first use). */
  private async nextInLane(lane: string): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        // 'before', plus one: the engine's 'after' may show a later caller's increment too.
        const before = await this.lanes.findOneAndUpdate(
          { _id: lane },
          { $inc: { accepted: 1 }, $setOnInsert: { holder: null, leaseUntil: null } },
          { upsert: true, returnDocument: 'before' },
        );
        return (before?.accepted ?? 0) + 1;
      } catch (error) {
        // Two first messages of a conversation raced to create its lane: it exists now.
        if (!isDuplicateKeyError(error) || attempt >= 3) throw error;
      }
    }
  }
}

function toAccepted(doc: InboxDocument): AcceptedInboundMessage {
  return {
    messageId: doc._id,
    companyId: doc.companyId,
    integrationId: doc.integrationId,
    message: doc.message,
    acceptedAt: new Date(doc.acceptedAt),
  };
}
