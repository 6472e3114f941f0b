import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { ConcurrencyError, DomainError } from '../../../domain/shared/domain-error';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { ServiceConfig } from '../../ports/service-config.port';
import { INBOUND_WEBHOOK_PATH, TwilioGateway } from '../../ports/twilio-gateway.port';
import { credentialsOf, loadIntegration } from '../integration-credentials';
import { repairTarget, webhookDrift } from '../monitoring/webhook-expectations';
import { IntegrationView, toIntegrationView } from '../integration.view';
import { SyncWebhookCommand } from './sync-webhook.command';

/**
 * Re-points the number's webhooks (SmsUrl with retry overrides, fallback URL, and a stale
 * Zapdesk StatusCallback) at this service; the drift the monitor recorded is cleared.
 */
export class SyncWebhookHandler {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly twilio: TwilioGateway,
    private readonly cipher: SecretCipher,
    private readonly config: ServiceConfig,
    private readonly clock: Clock,
    private readonly events: DomainEventPublisher,
  ) {}

  async execute(command: SyncWebhookCommand): Promise<IntegrationView> {
    const integration = await loadIntegration(this.integrations, command.companyId, command.integrationId);
    if (integration.isProvisioning) {
      throw new DomainError('INTEGRATION.PROVISIONING', 'conflict', 'the integration is still being set up');
    }
    const credentials = credentialsOf(integration, this.cipher);
    let numberSid = integration.numberSid;
    if (!numberSid && integration.whatsappNumber) {
      numberSid = (await this.twilio.findNumber(credentials, integration.whatsappNumber))?.sid ?? null;
    }
    if (!numberSid) {
      throw new DomainError('INTEGRATION.NUMBER_NOT_IN_ACCOUNT', 'conflict', 'the WhatsApp number is not a phone number of this Twilio account');
    }
    const method = integration.toSnapshot().config.webhookMethod;
    const drift = webhookDrift(await this.twilio.fetchNumberConfig(credentials, numberSid), this.config.apiUrl, method);
    await this.twilio.configureWebhook(credentials, numberSid, repairTarget(drift, this.config.apiUrl, method));
    let current = integration;
    for (let attempt = 1; ; attempt += 1) {
      const now = this.clock.now();
      current.recordNumberSid(numberSid, now);
      current.recordWebhookConfigured(`${this.config.apiUrl}${INBOUND_WEBHOOK_PATH}`, now);
      try {
        await this.integrations.save(current);
        break;
      } catch (error) {
        // The monitor (or another admin) wrote meanwhile: Twilio is configured all the same, so
        // record it on a fresh copy rather than answer 409 for a change that was made.
        if (!(error instanceof ConcurrencyError) || attempt >= 3) throw error;
        current = await loadIntegration(this.integrations, command.companyId, command.integrationId);
      }
    }
    await this.events.publishAll(current.pullDomainEvents());
    return toIntegrationView(current);
  }
}
