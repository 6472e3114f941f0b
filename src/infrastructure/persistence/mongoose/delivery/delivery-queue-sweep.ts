import { Connection, mongo } from 'mongoose';
import { StoredMessageDocument, messageModel } from '../message/message.schema';
import { DeliveryQueue, templateOf } from './delivery-queue';

const SWEPT_FIELDS = { _id: 1, companyId: 1, ticketId: 1, integrationId: 1, version: 1, createdAt: 1 } as const;

/**
 * The safety net of the delivery queue: finds outbound messages still queued or sending
 * that have no queue entry (a crash between a retry's writes, messages stored before the
 * queue existed, a hand-edited database) and gives them one, due at once. It reads the
 * whole messages collection, so it runs rarely (DELIVERY_QUEUE_SWEEP_MS) and once when the
 * workers start.
 */
export class DeliveryQueueSweep {
  private readonly messages: mongo.Collection<StoredMessageDocument>;

  constructor(
    connection: Connection,
    private readonly queue: DeliveryQueue,
  ) {
    this.messages = messageModel(connection).collection as unknown as mongo.Collection<StoredMessageDocument>;
  }

  /** How many entries it restored. */
  async run(now: Date = new Date()): Promise<number> {
    // The queue first: an entry removed after this read belongs to a message that is no
    // longer pending when the messages are read (or is harmlessly restored and dropped later).
    const queued = await this.queue.messageIds();
    const pending = await this.messages.find({ direction: 'outbound', status: { $in: ['queued', 'sending'] } }, { projection: SWEPT_FIELDS }).toArray();
    let restored = 0;
    for (const doc of pending) {
      if (queued.has(doc._id)) continue;
      const inserted = await this.queue.insert({ ...templateOf(doc), enqueuedAt: now, dueAt: now, parkedUntil: null, seenVersion: doc.version });
      if (inserted) restored += 1;
    }
    return restored;
  }
}
