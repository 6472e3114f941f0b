import { Connection, mongo } from 'mongoose';
import { OperationLease } from '../../../application/ports/operation-lease.port';
import { isDuplicateKeyError } from './mongo-errors';

interface LeaseDocument {
  _id: string;
  holder: string | null;
  until: Date;
}

/** One lease document (by name) in the small `operation_leases` collection. */
export class MongoOperationLease implements OperationLease {
  private readonly leases: mongo.Collection<LeaseDocument>;

  constructor(
    connection: Connection,
    private readonly leaseId: string,
  ) {
    // Mongoose's collection buffers until the connection is open, like the models' collections.
    this.leases = connection.collection('operation_leases') as unknown as mongo.Collection<LeaseDocument>;
  }

  async acquire(holder: string, until: Date, now: Date): Promise<boolean> {
    // One conditional update on one document: of instances racing for a free or expired lease
    // (or the holder renewing its own), exactly one matches.
    const taken = await this.leases.updateOne({ _id: this.leaseId, $or: [{ holder }, { until: { $lte: now } }] }, { $set: { holder, until } });
    if (taken.matchedCount === 1) return true;
    // No match: held by another instance, or the document does not exist yet (first start).
    // Creating it is an insert, which the primary key lets only one instance do.
    try {
      await this.leases.insertOne({ _id: this.leaseId, holder, until });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async release(holder: string): Promise<void> {
    await this.leases.updateOne({ _id: this.leaseId, holder }, { $set: { holder: null, until: new Date(0) } });
  }
}
