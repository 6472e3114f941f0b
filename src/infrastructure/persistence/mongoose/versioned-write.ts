import { mongo } from 'mongoose';
import { ConcurrencyError } from '../../../domain/shared/domain-error';
import { isDuplicateKeyError } from './mongo-errors';

export interface VersionedDocument {
  _id: string;
  companyId: string;
  version: number;
}

export interface VersionedWrite<T extends VersionedDocument> {
  readonly collection: mongo.Collection<T>;
  /** Aggregate name for errors, e.g. `ticket`. */
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
    const { _id, ...fields } = doc;
    // One conditional update is the compare-and-set: of concurrent writers of version n, the
    // server lets exactly one match.
    const filter = { _id, companyId: doc.companyId, version: expectedVersion } as mongo.Filter<T>;
    const result = await collection.updateOne(filter, { $set: fields as Partial<T> });
    if (result.matchedCount === 0) throw new ConcurrencyError(aggregate, doc._id);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    throw (await write.uniqueConflict()) ?? new ConcurrencyError(aggregate, doc._id);
  }
}
