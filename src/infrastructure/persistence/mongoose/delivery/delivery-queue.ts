import { Connection, mongo } from 'mongoose';
import { isDuplicateKeyError } from '../mongo-errors';

export const DELIVERY_QUEUE_COLLECTION = 'delivery_queue';

/**
 * One outbound message whose delivery is not over. The message document stays the source
 * of truth; an entry only says where to look and when, so a worker's poll reads this small
 * collection instead of the whole messages collection.
 */
export interface DeliveryQueueEntry {
  /** The message id. */
  _id: string;
  companyId: string;
  ticketId: string;
  integrationId: string;
  /** The message's acceptance time: per-ticket order is (createdAt, _id), as on the message. */
  createdAt: Date;
  /** When the entry was written: an entry whose message never got saved is dropped after a grace period. */
  enqueuedAt: Date;
  /** When a worker should look at the message next (a hint; the message decides). */
  dueAt: Date;
  /** Held back behind an earlier message of its ticket until then (a hint), else null. */
  parkedUntil: Date | null;
  /** The message version this schedule was computed from: a schedule never replaces a newer one. */
  seenVersion: number;
}

/** What an entry holds about its message (written when the entry is created). */
export type EntryTemplate = Omit<DeliveryQueueEntry, 'dueAt' | 'parkedUntil' | 'seenVersion'>;

/** The entry fields of a message, from its snapshot (`id`) or its document (`_id`). */
export function templateOf(
  s: { companyId: string; ticketId: string; integrationId: string; createdAt: Date } & ({ _id: string } | { id: string }),
): EntryTemplate {
  return {
    _id: '_id' in s ? s._id : s.id,
    companyId: s.companyId,
    ticketId: s.ticketId,
    integrationId: s.integrationId,
    createdAt: new Date(s.createdAt),
    enqueuedAt: new Date(),
  };
}

export interface Schedule {
  readonly dueAt: Date;
  readonly parkedUntil: Date | null;
  readonly seenVersion: number;
}

/** Update, insert, update again: enough for any interleaving with one other writer creating the entry. */
const MAX_SCHEDULE_WRITES = 3;
const OLDEST_FIRST = { createdAt: 1, _id: 1 } as const;

/** The `delivery_queue` collection: pending outbound messages, small whatever the message history. */
export class DeliveryQueue {
  readonly collection: mongo.Collection<DeliveryQueueEntry>;

  constructor(connection: Connection) {
    const db = connection.db;
    if (!db) throw new Error('database connection is not open');
    this.collection = db.collection<DeliveryQueueEntry>(DELIVERY_QUEUE_COLLECTION);
  }

  /** False when the message already has an entry. */
  async insert(entry: DeliveryQueueEntry): Promise<boolean> {
    try {
      await this.collection.insertOne(entry);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  get(messageId: string): Promise<DeliveryQueueEntry | null> {
    return this.collection.findOne({ _id: messageId });
  }

  /** Entries due by `now`, oldest message first. */
  findDue(now: Date, limit: number): Promise<DeliveryQueueEntry[]> {
    return this.collection.find({ dueAt: { $lte: now } }, { sort: OLDEST_FIRST, limit }).toArray();
  }

  /** A ticket's entries, oldest message first. */
  findOfTicket(companyId: string, ticketId: string): Promise<DeliveryQueueEntry[]> {
    return this.collection.find({ companyId, ticketId }, { sort: OLDEST_FIRST }).toArray();
  }

  /**
   * Moves the entry to `schedule`, or creates it from `template` when it is missing. A
   * schedule computed from an older message version than the stored one is dropped, so
   * concurrent writers (the worker on the message, another instance looking at it) can
   * only ever leave the newest message state's schedule behind.
   */
  async reschedule(template: EntryTemplate, schedule: Schedule): Promise<void> {
    const { dueAt, parkedUntil, seenVersion } = schedule;
    for (let attempt = 1; attempt <= MAX_SCHEDULE_WRITES; attempt += 1) {
      // One conditional update: it lands unless the entry is missing or holds a newer schedule.
      const updated = await this.collection.updateOne({ _id: template._id, seenVersion: { $lte: seenVersion } }, { $set: { dueAt, parkedUntil, seenVersion } });
      if (updated.matchedCount > 0) return;
      if (await this.insert({ ...template, ...schedule })) return;
      // It exists: newer than ours (the next update will not match either), or just inserted by another writer.
    }
  }

  async remove(messageId: string): Promise<void> {
    await this.collection.deleteOne({ _id: messageId });
  }

  /** Every message id in the queue (the sweep compares them with the pending messages). */
  async messageIds(): Promise<Set<string>> {
    const entries = await this.collection.find({}, { projection: { _id: 1 } }).toArray();
    return new Set(entries.map((entry) => entry._id));
  }

  async ensureIndexes(): Promise<void> {
    // Served by MongoDB; the embedded engine scans, but only this small collection.
    await this.collection.createIndex({ dueAt: 1 }, { name: 'delivery_queue_due' });
    await this.collection.createIndex({ companyId: 1, ticketId: 1, createdAt: 1, _id: 1 }, { name: 'delivery_queue_ticket_order' });
  }
}
