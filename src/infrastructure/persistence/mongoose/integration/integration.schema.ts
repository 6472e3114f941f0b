import { Connection, Model, Schema } from 'mongoose';

/** Stored shape of a TwilioIntegration. `numberKey` makes the WhatsApp number unique system-wide. */
export interface IntegrationDocument {
  _id: string;
  companyId: string;
  mode: 'provision' | 'existing';
  friendlyName: string | null;
  accountSid: string | null;
  authToken: { ciphertext: string; keyId: string } | null;
  whatsappNumber: string | null;
  /** The number when known, else `unassigned:<id>`: one unique index without partial indexes. */
  numberKey: string;
  numberSid: string | null;
  status: 'pending' | 'active' | 'inactive' | 'error';
  config: { webhookUrl: string; webhookMethod: 'POST' | 'GET'; lastError: string | null; lastErrorDate: Date | null };
  provisioning: {
    countryCode: string;
    areaCode: string | null;
    subAccountCreated: boolean;
    numberSid: string | null;
    webhookConfigured: boolean;
    senderSid: string | null;
    senderOnline: boolean;
    nextCheckAt: Date | null;
    compensated: boolean;
  } | null;
  sendRatePerSecond: number;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /** Monitor settings and observations, token rotation (absent on documents stored before them). */
  operations?: IntegrationOperationsDocument | null;
  /** Saga lease: which worker may run this integration's provisioning (not part of the aggregate). */
  provisioningLeaseUntil?: Date | null;
}

export interface IntegrationOperationsDocument {
  lowBalanceThreshold: number | null;
  autoRepairWebhook: boolean;
  balance: { amount: number; currency: string; checkedAt: Date } | null;
  balanceLow: boolean;
  webhookDrift: { fields: Array<{ field: string; expected: string | null; actual: string | null }>; detectedAt: Date } | null;
  pendingAuthToken: { ciphertext: string; keyId: string } | null;
}

const schema = new Schema<IntegrationDocument>(
  {
    _id: { type: String, required: true },
    companyId: { type: String, required: true },
    mode: { type: String, required: true },
    friendlyName: { type: String, default: null },
    accountSid: { type: String, default: null },
    authToken: { type: Schema.Types.Mixed, default: null },
    whatsappNumber: { type: String, default: null },
    numberKey: { type: String, required: true },
    numberSid: { type: String, default: null },
    status: { type: String, required: true },
    config: { type: Schema.Types.Mixed, required: true },
    provisioning: { type: Schema.Types.Mixed, default: null },
    sendRatePerSecond: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
    operations: { type: Schema.Types.Mixed, default: null },
    provisioningLeaseUntil: { type: Date, default: null },
  },
  { collection: 'integrations', versionKey: false, minimize: false },
);
schema.index({ numberKey: 1 }, { unique: true, name: 'integration_number_unique' });
schema.index({ companyId: 1, createdAt: -1 }, { name: 'integration_company' });
schema.index({ accountSid: 1, whatsappNumber: 1 }, { name: 'integration_account_number' });
schema.index({ status: 1, mode: 1 }, { name: 'integration_provisioning_work' });

export function integrationModel(connection: Connection): Model<IntegrationDocument> {
  return (connection.models.Integration as Model<IntegrationDocument> | undefined) ?? connection.model<IntegrationDocument>('Integration', schema);
}
