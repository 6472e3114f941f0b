import { Connection, mongo } from 'mongoose';
import { ClaimDocument, takeUniqueClaim } from './unique-claims';

type SlotDocument = ClaimDocument;

/**
 * Compare-and-set insurance for servers whose conditional updates are not atomic.
 *
 * MongoDB applies `updateOne({ _id, version: n }, ...)` atomically, so optimistic
 * concurrency needs nothing more. FerretDB v1 (SQLite) evaluates the filter and writes in
 * separate steps: two concurrent writers of version n can both "win" (measured: 2-5 of 6).
 * Unique indexes, however, are enforced by SQLite. So on such a server every versioned
 * write first inserts the slot `<collection>:<id>:<next version>` into a collection keyed
 * by `_id`: exactly one writer gets each slot; the others see a stale-write error.
 */
export class WriteSlots {
  private constructor(
    private readonly slots: mongo.Collection<SlotDocument> | null,
    /**
     * A writer holds its slot for one round trip; one held this long was abandoned. Long, so
     * that a writer stalled under load is never mistaken for a dead one.
     */
    private readonly staleAfterMs = 30_000,
  ) {}

  /** Detects the server: FerretDB reports `ferretdbVersion` in buildInfo. */
  static async forConnection(connection: Connection, options: { staleAfterMs?: number } = {}): Promise<WriteSlots> {
    const db = connection.db;
    if (!db) throw new Error('database connection is not open');
    const info = await db.admin().command({ buildInfo: 1 });
    const needsSlots = typeof info.ferretdbVersion === 'string' || process.env.ZAPDESK_FORCE_WRITE_SLOTS === '1';
    return new WriteSlots(needsSlots ? db.collection<SlotDocument>('write_slots') : null, options.staleAfterMs);
  }

  /** For tests and MongoDB: conditional updates are trusted as they are. */
  static none(): WriteSlots {
    return new WriteSlots(null);
  }

  get active(): boolean {
    return this.slots !== null;
  }

  /**
   * False when another writer already took this version of this document. A slot older
   * than `staleAfterMs` whose write never happened (the writer died between the slot and
   * the update) is taken over by one writer, so a crash cannot wedge a document: the
   * caller's conditional update still refuses if the old writer's update did land.
   */
  async take(collection: string, id: string, nextVersion: number): Promise<boolean> {
    if (!this.slots) return true;
    return takeUniqueClaim(this.slots, `${collection}:${id}:${nextVersion}`, this.staleAfterMs);
  }

  /**
   * Whether a slot taken at `takenAt` is still certainly this writer's alone (no takeover can
   * have happened yet): then an update may skip the version condition.
   */
  isExclusiveSince(takenAt: number): boolean {
    return this.slots !== null && Date.now() - takenAt < this.staleAfterMs / 2;
  }

  /** Slots older than this are never contended again (a writer holds a read for seconds). */
  async prune(olderThan: Date): Promise<number> {
    if (!this.slots) return 0;
    const result = await this.slots.deleteMany({ takenAt: { $lt: olderThan } });
    return result.deletedCount;
  }
}

