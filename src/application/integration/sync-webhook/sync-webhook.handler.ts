import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { DomainError } from '../../../domain/shared/domain-error';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { ServiceConfig } from '../../ports/service-config.port';
import { INBOUND_WEBHOOK_PATH, TwilioGateway } from '../../ports/twilio-gateway.port';
import { credentialsOf, loadIntegration } from '../integration-credentials';
import { IntegrationView, toIntegrationView } from '../integration.view';
import { SyncWebhookCommand } from './sync-webhook.command';

/** Re-points the number's webhooks (SmsUrl with retry overrides, fallback URL) at this service. */
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
    const credentials = credentialsOf(integration, this.cipher);
    let numberSid = integration.numberSid;
    if (!numberSid && integration.whatsappNumber) {
      numberSid = (await this.twilio.findNumber(credentials, integration.whatsappNumber))?.sid ?? null;
    }
    if (!numberSid) {
      throw new DomainError('INTEGRATION.NUMBER_NOT_IN_ACCOUNT', 'conflict', 'the WhatsApp number is not a phone number of this Twilio account');
    }
    const method = integration.toSnapshot().config.webhookMethod;
    await this.twilio.configureWebhook(credentials, numberSid, { apiUrl: this.config.apiUrl, method });
    const now = this.clock.now();
    integration.recordNumberSid(numberSid, now);
    integration.recordWebhookConfigured(`${this.config.apiUrl}${INBOUND_WEBHOOK_PATH}`, now);
    await this.integrations.save(integration);
    await this.events.publishAll(integration.pullDomainEvents());
    return toIntegrationView(integration);
  }
}
