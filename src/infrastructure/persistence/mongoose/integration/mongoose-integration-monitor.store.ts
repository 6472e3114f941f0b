import { Connection, mongo } from 'mongoose';
import { IntegrationMonitorStore } from '../../../../application/ports/integration-monitor-store.port';
import { TwilioIntegration } from '../../../../domain/integration/twilio-integration';
import { MongoOperationLease } from '../operation-lease';
import { toIntegration } from './integration.mapper';
import { IntegrationDocument, integrationModel } from './integration.schema';

/** The one lease document of the integration monitor (in a small collection of such leases). */
const MONITOR_LEASE_ID = 'integration-monitor';

export class MongooseIntegrationMonitorStore implements IntegrationMonitorStore {
  private readonly integrations: mongo.Collection<IntegrationDocument>;
  private readonly lease: MongoOperationLease;

  constructor(connection: Connection) {
    this.integrations = integrationModel(connection).collection as unknown as mongo.Collection<IntegrationDocument>;
    this.lease = new MongoOperationLease(connection, MONITOR_LEASE_ID);
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

  acquireMonitorLease(holder: string, until: Date, now: Date): Promise<boolean> {
    return this.lease.acquire(holder, until, now);
  }

  releaseMonitorLease(holder: string): Promise<void> {
    return this.lease.release(holder);
  }
}
