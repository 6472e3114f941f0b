import { IntegrationView } from '../../../application/integration/integration.view';
import type { IntegrationJson } from './integration.schemas';
import { presentMonitoring } from './integration-monitoring.schemas';

/** The integration as the API shows it (SPEC §3, schema `Integration`): never the auth token. */
export function presentIntegration(view: IntegrationView): IntegrationJson {
  return {
    id: view.id,
    companyId: view.companyId,
    mode: view.mode,
    accountSid: view.accountSid,
    whatsappNumber: view.whatsappNumber,
    status: view.status,
    ...(view.friendlyName !== null ? { friendlyName: view.friendlyName } : {}),
    config: {
      webhookUrl: view.config.webhookUrl,
      webhookMethod: view.config.webhookMethod,
      ...(view.config.lastError !== null ? { lastError: view.config.lastError } : {}),
      ...(view.config.lastErrorDate !== null ? { lastErrorDate: view.config.lastErrorDate.toISOString() } : {}),
    },
    ...(view.provisioningStep !== null ? { provisioningStep: view.provisioningStep } : {}),
    sendRatePerSecond: view.sendRatePerSecond,
    monitoring: presentMonitoring(view.monitoring),
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
  };
}
