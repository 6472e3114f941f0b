import { IntegrationOperations, WebhookDriftField } from '../../../../domain/integration/integration-operations';
import { TwilioIntegration, TwilioIntegrationSnapshot } from '../../../../domain/integration/twilio-integration';
import { IntegrationDocument, IntegrationOperationsDocument } from './integration.schema';

export function toIntegrationDocument(integration: TwilioIntegration, version: number): IntegrationDocument {
  const s = integration.toSnapshot();
  return {
    _id: s.id,
    companyId: s.companyId,
    mode: s.mode,
    friendlyName: s.friendlyName,
    accountSid: s.accountSid,
    authToken: s.authToken ? { ciphertext: s.authToken.ciphertext, keyId: s.authToken.keyId } : null,
    whatsappNumber: s.whatsappNumber,
    numberKey: s.whatsappNumber ?? `unassigned:${s.id}`,
    numberSid: s.numberSid,
    status: s.status,
    config: { ...s.config },
    provisioning: s.provisioning ? { ...s.provisioning } : null,
    sendRatePerSecond: s.sendRatePerSecond,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version,
    operations: s.operations ? toOperationsDocument(s.operations) : null,
  };
}

export function toIntegration(doc: IntegrationDocument): TwilioIntegration {
  const snapshot: TwilioIntegrationSnapshot = {
    id: doc._id,
    companyId: doc.companyId,
    mode: doc.mode,
    friendlyName: doc.friendlyName ?? null,
    accountSid: doc.accountSid ?? null,
    authToken: doc.authToken ? { ciphertext: doc.authToken.ciphertext, keyId: doc.authToken.keyId } : null,
    whatsappNumber: doc.whatsappNumber ?? null,
    numberSid: doc.numberSid ?? null,
    status: doc.status,
    config: {
      webhookUrl: doc.config.webhookUrl,
      webhookMethod: doc.config.webhookMethod,
      lastError: doc.config.lastError ?? null,
      lastErrorDate: toDateOrNull(doc.config.lastErrorDate),
    },
    provisioning: doc.provisioning
      ? { ...doc.provisioning, nextCheckAt: toDateOrNull(doc.provisioning.nextCheckAt) }
      : null,
    sendRatePerSecond: doc.sendRatePerSecond,
    createdAt: new Date(doc.createdAt),
    updatedAt: new Date(doc.updatedAt),
    version: doc.version,
    ...(doc.operations ? { operations: toOperations(doc.operations) } : {}),
  };
  return TwilioIntegration.restore(snapshot);
}

function toOperationsDocument(o: IntegrationOperations): IntegrationOperationsDocument {
  return {
    lowBalanceThreshold: o.lowBalanceThreshold,
    autoRepairWebhook: o.autoRepairWebhook,
    balance: o.balance ? { ...o.balance } : null,
    balanceLow: o.balanceLow,
    webhookDrift: o.webhookDrift ? { fields: o.webhookDrift.fields.map((f) => ({ ...f })), detectedAt: o.webhookDrift.detectedAt } : null,
    pendingAuthToken: o.pendingAuthToken ? { ciphertext: o.pendingAuthToken.ciphertext, keyId: o.pendingAuthToken.keyId } : null,
  };
}

function toOperations(doc: IntegrationOperationsDocument): IntegrationOperations {
  return {
    lowBalanceThreshold: doc.lowBalanceThreshold ?? null,
    autoRepairWebhook: doc.autoRepairWebhook === true,
    balance: doc.balance ? { amount: doc.balance.amount, currency: doc.balance.currency, checkedAt: new Date(doc.balance.checkedAt) } : null,
    balanceLow: doc.balanceLow === true,
    webhookDrift: doc.webhookDrift
      ? { fields: doc.webhookDrift.fields as WebhookDriftField[], detectedAt: new Date(doc.webhookDrift.detectedAt) }
      : null,
    pendingAuthToken: doc.pendingAuthToken ? { ciphertext: doc.pendingAuthToken.ciphertext, keyId: doc.pendingAuthToken.keyId } : null,
  };
}

function toDateOrNull(value: Date | string | null | undefined): Date | null {
  return value == null ? null : new Date(value);
}
