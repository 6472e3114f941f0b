import { Connection, Model, mongo } from 'mongoose';
import { NumberInUseError } from '../../../../domain/integration/integration-errors';
import { IntegrationRepository } from '../../../../domain/integration/integration.repository';
import { TwilioIntegration } from '../../../../domain/integration/twilio-integration';
import { findOwned } from '../owned-document';
import { writeVersioned } from '../versioned-write';
import { toIntegration, toIntegrationDocument } from './integration.mapper';
import { IntegrationDocument, integrationModel } from './integration.schema';

export class MongooseIntegrationRepository implements IntegrationRepository {
  private readonly model: Model<IntegrationDocument>;
  /** Driver-level collection: writes need exact control (conditional replace, no casting). */
  private readonly collection: mongo.Collection<IntegrationDocument>;

  constructor(
    connection: Connection,
  ) {
    this.model = integrationModel(connection);
    this.collection = this.model.collection as unknown as mongo.Collection<IntegrationDocument>;
  }

  async save(integration: TwilioIntegration): Promise<void> {
    const expected = integration.version;
    const doc = toIntegrationDocument(integration, expected + 1);
    await writeVersioned({
      collection: this.collection,
      aggregate: 'integration',
      doc,
      expectedVersion: expected,
      uniqueConflict: async () => {
        const holder = await this.collection.findOne({ numberKey: doc.numberKey }, { projection: { _id: 1 } });
        return holder && holder._id !== doc._id ? new NumberInUseError(doc.numberKey) : null;
      },
    });
    integration.markSaved();
  }

  async findById(companyId: string, id: string): Promise<TwilioIntegration | null> {
    const doc = await findOwned(this.collection, companyId, id);
    return doc ? toIntegration(doc) : null;
  }

  async listByCompany(companyId: string): Promise<TwilioIntegration[]> {
    const docs = await this.collection.find({ companyId }).sort({ createdAt: -1 }).limit(1000).toArray();
    return docs.map((doc) => toIntegration(doc));
  }

  async delete(companyId: string, id: string): Promise<boolean> {
    const result = await this.collection.deleteOne({ _id: id, companyId });
    return result.deletedCount === 1;
  }

  async isNumberTaken(whatsappNumber: string, exceptId: string): Promise<boolean> {
    const holder = await this.collection.findOne({ numberKey: whatsappNumber }, { projection: { _id: 1 } });
    return holder !== null && holder._id !== exceptId;
  }

  async findByAccountAndNumber(accountSid: string, whatsappNumber: string): Promise<TwilioIntegration | null> {
    const doc = await this.collection.findOne({ numberKey: whatsappNumber, accountSid });
    return doc ? toIntegration(doc) : null;
  }

  async findProvisioningDue(now: Date, limit: number): Promise<TwilioIntegration[]> {
    const docs = await this.collection
      .find({ status: 'pending', mode: 'provision', 'provisioning.nextCheckAt': { $lte: now } })
      .sort({ 'provisioning.nextCheckAt': 1 })
      .limit(limit)
      .toArray();
    return docs.map((doc) => toIntegration(doc));
  }

  async acquireProvisioningLease(id: string, until: Date, now: Date): Promise<boolean> {
    // One conditional update: of instances racing for a free (or expired) lease, one matches. It
    // also moves the version on, so a writer holding an older read of the integration must reload.
    const result = await this.collection.updateOne(
      { _id: id, $or: [{ provisioningLeaseUntil: null }, { provisioningLeaseUntil: { $lte: now } }] },
      { $set: { provisioningLeaseUntil: until }, $inc: { version: 1 } },
    );
    return result.modifiedCount === 1;
  }

  async releaseProvisioningLease(id: string): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { provisioningLeaseUntil: null } });
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }
}
