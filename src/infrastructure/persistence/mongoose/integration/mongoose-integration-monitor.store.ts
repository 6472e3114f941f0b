import { Connection, mongo } from 'mongoose';
import { IntegrationMonitorStore } from '../../../../application/ports/integration-monitor-store.port';
import { TwilioIntegration } from '../../../../domain/integration/twilio-integration';
import { isDuplicateKeyError } from '../mongo-errors';
import { toIntegration } from './integration.mapper';
import { IntegrationDocument, integrationModel } from './integration.schema';

interface LeaseDocument {
  _id: string;
  holder: string | null;
  until: Date;
}

/** The one lease document of the integration monitor (in a small collection of such leases). */
const MONITOR_LEASE_ID = 'integration-monitor';

export class MongooseIntegrationMonitorStore implements IntegrationMonitorStore {
  private readonly integrations: mongo.Collection<IntegrationDocument>;
  private readonly leases: mongo.Collection<LeaseDocument>;

  constructor(connection: Connection) {
    this.integrations = integrationModel(connection).collection as unknown as mongo.Collection<IntegrationDocument>;
    // Mongoose's collection buffers until the connection is open, like the models' collections.
    this.leases = connection.collection('operation_leases') as unknown as mongo.Collection<LeaseDocument>;
  }

  async listMonitored(afterId: string | null, limit: number): Promise<TwilioIntegration[]> {
    // Paged by _id (the primary key): a pass never holds a cursor open across Twilio calls.
    const docs = await this.integrations
      .find({ status: { $in: ['active', 'error'] }, ...(afterId === null ? {} : { _id: { $gt: afterId } }) })
      .sort({ _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map((doc) => toIntegration(doc));
  }

  async acquireMonitorLease(holder: string, until: Date, now: Date): Promise<boolean> {
    // One conditional update on one document: of instances racing for a free or expired lease
    // (or the holder renewing its own), exactly one matches.
    const taken = await this.leases.updateOne(
      { _id: MONITOR_LEASE_ID, $or: [{ holder }, { until: { $lte: now } }] },
      { $set: { holder, until } },
    );
    if (taken.matchedCount === 1) return true;
    // No match: held by another instance, or the document does not exist yet (first start).
    // Creating it is an insert, which the primary key lets only one instance do.
    try {
      await this.leases.insertOne({ _id: MONITOR_LEASE_ID, holder, until });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async releaseMonitorLease(holder: string): Promise<void> {
    await this.leases.updateOne({ _id: MONITOR_LEASE_ID, holder }, { $set: { holder: null, until: new Date(0) } });
  }
}
