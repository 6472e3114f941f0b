import { mongo } from 'mongoose';
import { ConcurrencyError } from '../../../domain/shared/domain-error';
import { isDuplicateKeyError } from './mongo-errors';
import { WriteSlots } from './write-slots';

export interface VersionedDocument {
  _id: string;
  companyId: string;
  version: number;
}

export interface VersionedWrite<T extends VersionedDocument> {
  readonly collection: mongo.Collection<T>;
  readonly slots: WriteSlots;
  /** Aggregate name for errors, e.g. `ticket`; `<name>s` is the slot namespace. */
  readonly aggregate: string;
  /** The document to store, already carrying `version = expectedVersion + 1`. */
  readonly doc: T;
  readonly expectedVersion: number;
  /**
   * Called on a duplicate-key error: the error to throw when another document holds the
   * unique key (the server may not say which index refused), or null for "same id".
   */
  readonly uniqueConflict: () => Promise<Error | null>;
}

/**
 * Insert (version 0) or conditional update (version n → n+1) with optimistic concurrency:
 * a stale write throws ConcurrencyError and never overwrites. Updates use $set, so fields
 * the aggregate does not know (leases, outbox state) survive.
 */
export async function writeVersioned<T extends VersionedDocument>(write: VersionedWrite<T>): Promise<void> {
  const { collection, doc, expectedVersion, aggregate } = write;
  try {
    if (expectedVersion === 0) {
      await collection.insertOne(doc as mongo.OptionalUnlessRequiredId<T>);
      return;
    }
    const slotTakenAt = Date.now();
    if (!(await write.slots.take(`${aggregate}s`, doc._id, expectedVersion + 1))) throw new ConcurrencyError(aggregate, doc._id);
    const { _id, ...fields } = doc;
    // Holding the slot of version n+1 already excludes every other writer, so the update can
    // filter on `_id` alone: the one filter FerretDB serves from an index (anything more is
    // a collection scan). Once the slot is old enough to be taken over, the full version
    // condition is back, so a writer that stalled cannot overwrite its successor.
    const filter = (
      write.slots.isExclusiveSince(slotTakenAt) ? { _id } : { _id, companyId: doc.companyId, version: expectedVersion }
    ) as mongo.Filter<T>;
    const result = await collection.updateOne(filter, { $set: fields as Partial<T> });
    if (result.matchedCount === 0) throw new ConcurrencyError(aggregate, doc._id);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    throw (await write.uniqueConflict()) ?? new ConcurrencyError(aggregate, doc._id);
  }
}
