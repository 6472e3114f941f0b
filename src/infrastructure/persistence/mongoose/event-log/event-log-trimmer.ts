import { mongo } from 'mongoose';
import { EventLogDocument } from './event-log.collection';
import { EventLogReader } from './event-log.reader';

export interface EventLogRetention {
  /** Entries kept at most (the newest ones). */
  readonly maxEntries: number;
  /** Entries older than this go, whatever their number. */
  readonly maxAgeMs: number;
}

/**
 * Keeps the event log to its retention: the log is a plain collection (no capped collections,
 * no TTL index: the embedded engine enforces neither), so the service trims it. Any instance
 * may trim at any time: the deletes are idempotent, and the newest entry always stays, so the
 * next sequence number is never lost.
 */
export class EventLogTrimmer {
  constructor(
    private readonly collection: mongo.Collection<EventLogDocument>,
    private readonly reader: EventLogReader,
    private readonly retention: EventLogRetention,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Removes what is past the retention; returns how many entries went. */
  async trim(): Promise<number> {
    const newest = await this.reader.newestSeq();
    if (newest === 0) return 0;
    // Always a prefix of the log: a hole in the middle would look like lost events to a tailer.
    // Instances' clocks may differ a little, so age picks the newest old entry, and all before it go.
    const cutoff = new Date(this.now().getTime() - this.retention.maxAgeMs);
    const [newestOld] = await this.collection.find({ at: { $lt: cutoff } }, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(1).toArray();
    const keepFrom = Math.min(newest, Math.max(newest - this.retention.maxEntries + 1, (newestOld?._id ?? 0) + 1));
    if (keepFrom <= 1) return 0;
    const result = await this.collection.deleteMany({ _id: { $lt: keepFrom } });
    return result.deletedCount;
  }
}
