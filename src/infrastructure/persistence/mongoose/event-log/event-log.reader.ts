import { mongo } from 'mongoose';
import { EventLogDocument, eventLogKey } from './event-log.collection';
import { EventLogHead } from './event-log.head';
import { searchNewestSeq } from './newest-seq.search';

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
  return { seq: doc.seq, companyId: doc.companyId, name: doc.event, data: doc.payload, audience };
}

/** Entries appended by this instance kept for its tailer (a few MB at most). */
const APPENDED_HERE_KEPT = 2048;

/**
 * Reads of the event log. On FerretDB v1 only the unfiltered, unsorted `limit(1)` is
 * constant; a lookup by string `_id` is a pass inside SQLite (~17× cheaper than the Go-side
 * scan of any other filter or sort). The live paths (tailing, newest/oldest, the appender's
 * sequence search) use nothing but these, the head document and one `$collStats` count. Replay
 * (`readCompanyAfter`) and the tailable cursor are the exceptions, used rarely on FerretDB.
 */
export class EventLogReader {
  private readonly appendedHere = new Map<number, EventLogDocument>();

  constructor(
    private readonly collection: mongo.Collection<EventLogDocument>,
    private readonly head: EventLogHead,
  ) {}

  /** The newest sequence number as the appenders last recorded it: a hint (see EventLogHead). */
  async headSeq(): Promise<number | null> {
    return this.head.read();
  }

  /**
   * The highest sequence number stored, 0 when the log is empty (a capped log never drops
   * its newest entry). `from`: a number known to be stored, where the search may start.
   */
  async newestSeq(from?: number): Promise<number> {
    const probe = { has: (seq: number) => this.has(seq), oldest: () => this.oldestSeq() };
    return searchNewestSeq(probe, from ?? (await this.countedNewest()));
  }

  /**
   * oldest + count − 1: the newest when nothing moved in between (ids are gap-free and the
   * capped log drops only the oldest). A starting point for the search, which checks it:
   * lookups near the newest entry cost as much as a scan on FerretDB, so a search from the
   * oldest (≈ 2·log2(entries) of them) would cost more than the count.
   */
  private async countedNewest(): Promise<number | undefined> {
    const oldest = await this.oldestSeq();
    if (oldest === null) return undefined;
    try {
      const [stats] = await this.collection.aggregate<{ count?: unknown }>([{ $collStats: { count: {} } }]).toArray();
      return typeof stats?.count === 'number' && stats.count > 0 ? oldest + stats.count - 1 : oldest;
    } catch {
      return oldest; // no $collStats (permissions, server): search from the oldest
    }
  }

  /**
   * The oldest entry still held, null when empty. Natural order is insertion order, which
   * is sequence order; an unfiltered, unsorted `limit(1)` is the one read FerretDB answers
   * without scanning the whole collection.
   */
  async oldestSeq(): Promise<number | null> {
    const [doc] = await this.collection.find({}, { projection: { seq: 1 } }).limit(1).toArray();
    return doc?.seq ?? null;
  }

  async has(seq: number): Promise<boolean> {
    return (await this.collection.findOne({ _id: eventLogKey(seq) }, { projection: { _id: 1 } })) !== null;
  }

  /**
   * Entries this instance just appended (the appender hands them over once stored), so
   * that its own tailer need not read them back: on FerretDB each lookup reads through the
   * log (~40 ms at a few thousand entries), and with one instance these are all of them.
   */
  remember(docs: readonly EventLogDocument[]): void {
    for (const doc of docs) this.appendedHere.set(doc.seq, doc);
    // Oldest first (Map keeps insertion order); the tailer passes them within a poll or two.
    for (const seq of this.appendedHere.keys()) {
      if (this.appendedHere.size <= APPENDED_HERE_KEPT) break;
      this.appendedHere.delete(seq);
    }
  }

  /**
   * The entries `first`, `first + 1`, … up to `count` of them, stopping before the first
   * one missing (sequence numbers are gap-free: a missing one is not written yet, or was
   * rolled out). Those appended here come from memory; one `_id` lookup for each other
   * number, all in flight at once.
   */
  async readRun(first: number, count: number): Promise<EventLogDocument[]> {
    const docs = await Promise.all(
      Array.from({ length: count }, (_, i) => this.appendedHere.get(first + i) ?? this.collection.findOne({ _id: eventLogKey(first + i) })),
    );
    const missing = docs.indexOf(null);
    return (missing === -1 ? docs : docs.slice(0, missing)) as EventLogDocument[];
  }

  /** One company's entries after `afterSeq`, in sequence order (a range read: a scan on FerretDB). */
  async readCompanyAfter(companyId: string, afterSeq: number, limit: number): Promise<LoggedEvent[]> {
    const docs = await this.collection
      .find({ companyId, _id: { $gt: eventLogKey(afterSeq) } })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toLoggedEvent);
  }

  /**
   * A tailable cursor over every entry after `afterSeq`, in insertion (= sequence) order.
   * On MongoDB it awaits new entries up to `maxAwaitTimeMS`; FerretDB v1 answers what exists
   * and closes it, so the tailer probes by `_id` instead.
   */
  tail(afterSeq: number, maxAwaitTimeMS: number): mongo.FindCursor<EventLogDocument> {
    return this.collection.find({ _id: { $gt: eventLogKey(afterSeq) } }, { tailable: true, awaitData: true, maxAwaitTimeMS });
  }
}
