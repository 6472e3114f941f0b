import { mongo } from 'mongoose';
import { EVENT_LOG_HEAD_ID, EventLogDocument, EventLogHeadDocument } from './event-log.collection';

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

/** The highest sequence number stored, 0 when the log is empty (a capped log never drops its newest entry). */
export async function newestSeq(collection: mongo.Collection<EventLogDocument>): Promise<number> {
  const [doc] = await collection.find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).toArray();
  return doc?._id ?? 0;
}

/** Reads of the event log for replay (Last-Event-ID) and live tailing. */
export class EventLogReader {
  constructor(
    private readonly collection: mongo.Collection<EventLogDocument>,
    private readonly head: mongo.Collection<EventLogHeadDocument> | null = null,
  ) {}

  /** The appenders' newest-seq hint (may lag or, under racing writers, fall behind); 0 when none. */
  async headHint(): Promise<number> {
    const doc = await this.head?.findOne({ _id: EVENT_LOG_HEAD_ID });
    return doc?.seq ?? 0;
  }

  newestSeq(): Promise<number> {
    return newestSeq(this.collection);
  }

  /**
   * The oldest entry still held, null when empty. Natural order is insertion order, which
   * is sequence order; an unfiltered, unsorted `limit(1)` is the one read FerretDB answers
   * without scanning the whole collection.
   */
  async oldestSeq(): Promise<number | null> {
    const [doc] = await this.collection.find({}, { projection: { _id: 1 } }).limit(1).toArray();
    return doc?._id ?? null;
  }

  /** One company's entries after `afterSeq`, in sequence order. */
  async readCompanyAfter(companyId: string, afterSeq: number, limit: number): Promise<LoggedEvent[]> {
    const docs = await this.collection.find({ companyId, _id: { $gt: afterSeq } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(toLoggedEvent);
  }

  /**
   * A tailable cursor over every entry after `afterSeq`, in insertion (= sequence) order.
   * On MongoDB it awaits new entries up to `maxAwaitTimeMS`; FerretDB v1 answers what exists
   * and closes it, so the tailer re-queries.
   */
  tail(afterSeq: number, maxAwaitTimeMS: number): mongo.FindCursor<EventLogDocument> {
    return this.collection.find({ _id: { $gt: afterSeq } }, { tailable: true, awaitData: true, maxAwaitTimeMS });
  }
}
