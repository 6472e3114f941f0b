import { mongo } from 'mongoose';
import { EventLog } from '../../../../application/ports/event-log.port';
import { RealtimeEvent } from '../../../../application/realtime/realtime-event';
import { isDuplicateKeyError } from '../mongo-errors';
import { EventLogDocument, eventLogKey } from './event-log.collection';
import { EventLogHead } from './event-log.head';
import { EventLogReader } from './event-log.reader';

type Draft = Omit<EventLogDocument, '_id' | 'seq'>;

interface PendingAppend {
  readonly drafts: readonly Draft[];
  resolve(): void;
  reject(error: unknown): void;
}

/** Gives up after this many lost races for the next sequence number (other instances appending). */
const MAX_SEQ_RACES = 100;

/**
 * Appends real-time events with sequence numbers that are unique, gap-free and increasing
 * across every instance, without transactions or atomic conditional updates (FerretDB):
 *
 * - One in-process batcher: while an insert is in flight, new appends queue up; everything
 *   queued then goes in ONE ordered insertMany with consecutive `_id`s (next = last + 1,
 *   cached, so no read per append and no contention inside the instance).
 * - Across instances the unique `_id` decides: an ordered insert stops at the first
 *   duplicate (another instance took that seq); what was inserted stays, the rest is
 *   renumbered from the newest seq (searched by `_id` upward from the one that collided)
 *   and retried, keeping the queue's order.
 * - A batch is one insertMany when no other instance raced it and, once the next seq is
 *   cached, no read; then the head (EventLogHead, one tiny document) is advanced, so that
 *   tailers learn of new entries without searching the log.
 *
 * Gap-free: seq `k` is only inserted after `k - 1` exists (the first of a batch is one past
 * the newest found stored or last written; the rest follow in an ordered insert).
 */
export class MongooseEventLog implements EventLog {
  private readonly queue: PendingAppend[] = [];
  private flushing = false;
  /** Next sequence number to use; null when unknown (start, after a lost race or an error). */
  private nextSeq: number | null = null;
  /** A sequence number known to be stored (another instance's), where the newest-seq search starts. */
  private takenSeq: number | undefined;
  private readonly reader: EventLogReader;

  constructor(
    private readonly collection: mongo.Collection<EventLogDocument>,
    private readonly head: EventLogHead,
    private readonly options: {
      readonly now?: () => Date;
      readonly reportError?: (error: unknown) => void;
      /** Called with entries once stored, before the head shows them (EventLogReader.remember). */
      readonly onStored?: (docs: readonly EventLogDocument[]) => void;
    } = {},
  ) {
    this.reader = new EventLogReader(collection, head);
  }

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
          const newest = await this.insertInOrder(batch.flatMap((pending) => pending.drafts));
          await this.advanceHead(newest);
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

  /**
   * The entries are stored whatever happens here, so a failure must not fail the append:
   * tailers still find them, only later (they look past the head now and then).
   */
  private async advanceHead(newest: number): Promise<void> {
    try {
      await this.head.advance(newest);
    } catch (error) {
      this.options.reportError?.(error);
    }
  }

  /** Returns the sequence number of the last of `drafts`. */
  private async insertInOrder(drafts: readonly Draft[]): Promise<number> {
    let rest = drafts;
    for (let race = 0; race < MAX_SEQ_RACES; race++) {
      const first = this.nextSeq ?? (await this.reader.newestSeq(this.takenSeq)) + 1;
      const docs = rest.map((draft, i): EventLogDocument => ({ _id: eventLogKey(first + i), seq: first + i, ...draft }));
      try {
        await this.collection.insertMany(docs, { ordered: true });
        this.options.onStored?.(docs);
        this.nextSeq = first + docs.length;
        this.takenSeq = undefined;
        return first + docs.length - 1;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        const inserted = insertedBeforeFailure(error);
        this.options.onStored?.(docs.slice(0, inserted));
        rest = rest.slice(inserted);
        this.nextSeq = null;
        this.takenSeq = first + inserted;
        if (rest.length === 0) return first + inserted - 1;
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
