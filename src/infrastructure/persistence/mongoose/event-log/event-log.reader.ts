import { mongo } from 'mongoose';
import { EventLogDocument } from './event-log.collection';

/** A logged event as the tailer and the SSE hub see it: `data` is the JSON text to send. */
export interface LoggedEvent {
  readonly seq: number;
  readonly companyId: string;
  readonly name: EventLogDocument['event'];
  readonly data: string;
  readonly audience: { readonly role?: 'admin' | 'agent'; readonly userId?: string } | null;
}

export function toLoggedEvent(doc: EventLogDocument): LoggedEvent {
  const audience = doc.audience
    ? { ...(doc.audience.role ? { role: doc.audience.role } : {}), ...(doc.audience.userId ? { userId: doc.audience.userId } : {}) }
    : null;
  return { seq: doc._id, companyId: doc.companyId, name: doc.event, data: doc.payload, audience };
}

/** Reads of the event log; every one is a range or an end of the `_id` index. */
export class EventLogReader {
  constructor(private readonly collection: mongo.Collection<EventLogDocument>) {}

  get log(): mongo.Collection<EventLogDocument> {
    return this.collection;
  }

  /** The highest sequence number stored, 0 when the log is empty (trimming never removes the newest). */
  async newestSeq(): Promise<number> {
    const [doc] = await this.collection.find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).toArray();
    return doc?._id ?? 0;
  }

  /** The oldest entry still held, null when empty. */
  async oldestSeq(): Promise<number | null> {
    const [doc] = await this.collection.find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(1).toArray();
    return doc?._id ?? null;
  }

  /** Entries after `afterSeq` (every company), in sequence order. */
  async readAfter(afterSeq: number, limit: number): Promise<EventLogDocument[]> {
    return this.collection.find({ _id: { $gt: afterSeq } }).sort({ _id: 1 }).limit(limit).toArray();
  }

  /** One company's entries after `afterSeq`, in sequence order. */
  async readCompanyAfter(companyId: string, afterSeq: number, limit: number): Promise<LoggedEvent[]> {
    const docs = await this.collection.find({ companyId, _id: { $gt: afterSeq } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(toLoggedEvent);
  }
}
