import { mongo } from 'mongoose';
import { EventLog } from '../../../../application/ports/event-log.port';
import { RealtimeEvent } from '../../../../application/realtime/realtime-event';
import { isDuplicateKeyError } from '../mongo-errors';
import { EventLogDocument } from './event-log.collection';
import { EventLogReader } from './event-log.reader';

type Draft = Omit<EventLogDocument, '_id'>;

interface PendingAppend {
  readonly drafts: readonly Draft[];
  resolve(): void;
  reject(error: unknown): void;
}

/** Gives up after this many lost races for the next sequence number (other instances appending). */
const MAX_SEQ_RACES = 100;

/**
 * Appends real-time events with sequence numbers (`_id`) that are unique, gap-free and
 * increasing across every instance, with nothing but inserts and the unique `_id`:
 *
 * - One in-process batcher: while an insert is in flight, new appends queue up; everything
 *   queued then goes in ONE ordered insertMany with consecutive `_id`s (next = last + 1,
 *   cached, so no read per append and no contention inside the instance).
 * - Across instances the unique `_id` decides: an ordered insert stops at the first duplicate
 *   (another instance took that number); what was inserted stays, the rest is renumbered from
 *   the newest stored and retried in the same order.
 *
 * Gap-free: `k` is inserted only after `k - 1` exists (the first of a batch is one past the
 * newest stored or the last written here; the rest follow in an ordered insert). So insertion
 * order is sequence order, which is what tailers and the trimmer rely on.
 */
export class MongooseEventLog implements EventLog {
  private readonly queue: PendingAppend[] = [];
  private flushing = false;
  /** Next sequence number to use; null when unknown (start, after a lost race or an error). */
  private nextSeq: number | null = null;

  constructor(
    private readonly collection: mongo.Collection<EventLogDocument>,
    private readonly reader: EventLogReader,
    private readonly options: {
      readonly now?: () => Date;
      /** Called once entries are stored (the local tailer reads at once instead of at its next poll). */
      readonly onStored?: () => void;
    } = {},
  ) {}

  append(events: readonly RealtimeEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const at = (this.options.now ?? (() => new Date()))();
    const drafts = events.map((e): Draft => ({
      companyId: e.companyId,
      event: e.name,
      payload: JSON.stringify(e.payload),
      audience: e.audience ? { role: e.audience.role ?? null, userId: e.audience.userId ?? null } : null,
      at,
    }));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ drafts, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        try {
          await this.insertInOrder(batch.flatMap((pending) => pending.drafts));
          this.options.onStored?.();
          for (const pending of batch) pending.resolve();
        } catch (error) {
          this.nextSeq = null;
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async insertInOrder(drafts: readonly Draft[]): Promise<void> {
    let rest = drafts;
    for (let race = 0; race < MAX_SEQ_RACES; race++) {
      const first = this.nextSeq ?? (await this.reader.newestSeq()) + 1;
      const docs = rest.map((draft, i): EventLogDocument => ({ _id: first + i, ...draft }));
      try {
        await this.collection.insertMany(docs, { ordered: true });
        this.nextSeq = first + docs.length;
        return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        rest = rest.slice(insertedBeforeFailure(error));
        this.nextSeq = null;
        if (rest.length === 0) return;
      }
    }
    throw new Error(`event log: lost ${MAX_SEQ_RACES} races for the next sequence number`);
  }
}

/** How many documents of an ordered insertMany went in before the first write error. */
function insertedBeforeFailure(error: unknown): number {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const first = Array.isArray(writeErrors) ? (writeErrors[0] as { index?: unknown } | undefined) : (writeErrors as { index?: unknown } | undefined);
  if (typeof first?.index === 'number') return first.index;
  const inserted = (error as { insertedCount?: unknown }).insertedCount;
  return typeof inserted === 'number' ? inserted : 0;
}
