import { TwilioIntegration } from '../../domain/integration/twilio-integration';

/** Where a provisioning integration stands, in order. */
export const PROVISIONING_STEPS = ['creating_subaccount', 'buying_number', 'configuring_webhook', 'registering_sender', 'awaiting_sender_approval'] as const;
export type ProvisioningStep = (typeof PROVISIONING_STEPS)[number];

/** The read model of an integration: everything but the auth token. */
export interface IntegrationView {
  readonly id: string;
  readonly companyId: string;
  readonly mode: 'provision' | 'existing';
  readonly accountSid: string | null;
  readonly whatsappNumber: string | null;
  readonly status: 'pending' | 'active' | 'inactive' | 'error';
  readonly friendlyName: string | null;
  readonly config: {
    readonly webhookUrl: string;
    readonly webhookMethod: 'POST' | 'GET';
    readonly lastError: string | null;
    readonly lastErrorDate: Date | null;
  };
  readonly provisioningStep: ProvisioningStep | null;
  readonly sendRatePerSecond: number;
  readonly monitoring: MonitoringView;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What the integration monitor knows and how it is set up for this integration (no secret). */
export interface MonitoringView {
  readonly lowBalanceThreshold: number | null;
  readonly autoRepairWebhook: boolean;
  readonly balance: { readonly amount: number; readonly currency: string; readonly checkedAt: Date; readonly low: boolean } | null;
  readonly webhookDrift: {
    readonly detectedAt: Date;
    readonly fields: ReadonlyArray<{ readonly field: string; readonly expected: string | null; readonly actual: string | null }>;
  } | null;
  /** A new auth token was created and is not promoted yet. */
  readonly tokenRotationPending: boolean;
}

export function toIntegrationView(integration: TwilioIntegration): IntegrationView {
  const s = integration.toSnapshot();
  return {
    id: s.id,
    companyId: s.companyId,
    mode: s.mode,
    accountSid: s.accountSid,
    whatsappNumber: s.whatsappNumber,
    status: s.status,
    friendlyName: s.friendlyName,
    config: { ...s.config },
    provisioningStep: provisioningStep(integration),
    sendRatePerSecond: s.sendRatePerSecond,
    monitoring: monitoringView(integration),
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** Where a provisioning integration stands, for people watching it. */
function provisioningStep(integration: TwilioIntegration): ProvisioningStep | null {
  const p = integration.provisioning;
  if (!p || integration.status !== 'pending') return null;
  if (!p.subAccountCreated) return 'creating_subaccount';
  if (!p.numberSid) return 'buying_number';
  if (!p.webhookConfigured) return 'configuring_webhook';
  if (!p.senderSid) return 'registering_sender';
  return 'awaiting_sender_approval';
}

function monitoringView(integration: TwilioIntegration): MonitoringView {
  const o = integration.operations;
  return {
    lowBalanceThreshold: o.lowBalanceThreshold,
    autoRepairWebhook: o.autoRepairWebhook,
    balance: o.balance ? { ...o.balance, low: o.balanceLow } : null,
    webhookDrift: o.webhookDrift ? { detectedAt: o.webhookDrift.detectedAt, fields: o.webhookDrift.fields.map((f) => ({ ...f })) } : null,
    tokenRotationPending: o.pendingAuthToken !== null,
  };
}
