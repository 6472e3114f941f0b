import { z } from 'zod';
import { MonitoringView } from '../../../application/integration/integration.view';
import { MAX_BALANCE_THRESHOLD } from '../../../domain/integration/integration-operations';
import { EXAMPLE, instant } from '../openapi/common.schemas';

/** The monitor's settings an admin may change with `PATCH /integrations/:id`. */
export const monitoringSettings = {
  lowBalanceThreshold: z
    .number()
    .min(0)
    .max(MAX_BALANCE_THRESHOLD)
    .nullable()
    .optional()
    .meta({ description: "Alert the admins when the balance paying for this number falls below this amount; null: the service's default (BALANCE_ALERT_THRESHOLD).", example: 25 }),
  autoRepairWebhook: z
    .boolean()
    .optional()
    .meta({ description: "Re-point the number's webhooks at Zapdesk as soon as the monitor finds them changed (default false: report only)." }),
};

const driftField = z.object({
  field: z.enum(['smsUrl', 'smsMethod', 'smsFallbackUrl', 'statusCallback']),
  expected: z.string().nullable(),
  actual: z.string().nullable().meta({ description: 'What the number has at Twilio (null: unset).' }),
});

/** What the integration monitor found, and its settings for this integration. */
export const monitoringJson = z
  .object({
    lowBalanceThreshold: z.number().nullable().meta({ description: "This integration's alert threshold; null: the service's default." }),
    autoRepairWebhook: z.boolean(),
    balance: z
      .object({
        amount: z.number(),
        currency: z.string(),
        checkedAt: instant().meta({ description: 'When this amount was read.' }),
        low: z.boolean().meta({ description: 'Below the threshold (the admins were notified when it fell below).' }),
      })
      .optional()
      .meta({ description: "The balance that pays for this number: the platform's master account for a provisioned integration, the account's own otherwise. Absent until first read." }),
    webhookDrift: z
      .object({ detectedAt: instant(), fields: z.array(driftField) })
      .optional()
      .meta({ description: "The number's webhook settings that no longer point at Zapdesk (absent: none). `POST /integrations/{id}/webhook/sync` repairs them." }),
    tokenRotationPending: z.boolean().optional().meta({ description: 'True while an auth-token rotation is between creating and promoting the new token.' }),
  })
  .meta({ description: 'The integration monitor: balance watch, webhook drift, token rotation.' });

export type MonitoringJson = z.infer<typeof monitoringJson>;

export const MONITORING_EXAMPLE: MonitoringJson = {
  lowBalanceThreshold: null,
  autoRepairWebhook: false,
  balance: { amount: 18.52, currency: 'USD', checkedAt: EXAMPLE.updatedAt, low: false },
};

export function presentMonitoring(view: MonitoringView): MonitoringJson {
  return {
    lowBalanceThreshold: view.lowBalanceThreshold,
    autoRepairWebhook: view.autoRepairWebhook,
    ...(view.balance ? { balance: { amount: view.balance.amount, currency: view.balance.currency, checkedAt: view.balance.checkedAt.toISOString(), low: view.balance.low } } : {}),
    ...(view.webhookDrift
      ? { webhookDrift: { detectedAt: view.webhookDrift.detectedAt.toISOString(), fields: view.webhookDrift.fields.map((f) => ({ ...f }) as z.infer<typeof driftField>) } }
      : {}),
    ...(view.tokenRotationPending ? { tokenRotationPending: true } : {}),
  };
}
