import { AuthToken } from '../../../domain/integration/auth-token';
import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { TwilioIntegration } from '../../../domain/integration/twilio-integration';
import { InvalidValueError } from '../../../domain/shared/domain-error';
import { Clock, IdGenerator } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { NotificationStore } from '../../ports/notification.port';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { ServiceConfig } from '../../ports/service-config.port';
import { INBOUND_WEBHOOK_PATH } from '../../ports/twilio-gateway.port';
import { ConnectionCheck } from '../connection-check';
import { notifyAdminsOfFailure } from '../integration-alerts';
import { IntegrationView, toIntegrationView } from '../integration.view';
import { ProvisioningTrigger } from '../provisioning/provisioning-trigger';
import { CreateIntegrationCommand } from './create-integration.command';

/**
 * `existing`: stores the integration (the number's uniqueness is the database's unique
 * index), then checks the credentials against Twilio: `active`, or `error` + admin alert.
 * `provision`: stores it `pending` and hands it to the provisioning saga, which goes on
 * asynchronously; the answer is immediate.
 */
export class CreateIntegrationHandler {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly cipher: SecretCipher,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly config: ServiceConfig,
    private readonly connectionCheck: ConnectionCheck,
    private readonly notifications: NotificationStore,
    private readonly events: DomainEventPublisher,
    private readonly provisioning: ProvisioningTrigger,
  ) {}

  async execute(command: CreateIntegrationCommand): Promise<IntegrationView> {
    const webhookUrl = `${this.config.apiUrl}${INBOUND_WEBHOOK_PATH}`;
    const now = this.clock.now();
    if (command.mode === 'provision') {
      if (!command.countryCode) throw new InvalidValueError('countryCode', 'is required to provision a number');
      const integration = TwilioIntegration.provision({
        id: this.ids.newId(),
        companyId: command.companyId,
        friendlyName: command.friendlyName,
        countryCode: command.countryCode,
        areaCode: command.areaCode,
        webhookUrl,
        now,
      });
      await this.integrations.save(integration);
      await this.events.publishAll(integration.pullDomainEvents());
      this.provisioning.kick(integration.companyId, integration.id);
      return toIntegrationView(integration);
    }

    const integration = TwilioIntegration.connectExisting({
      id: this.ids.newId(),
      companyId: command.companyId,
      friendlyName: command.friendlyName,
      accountSid: command.accountSid ?? '',
      authToken: this.cipher.encrypt(AuthToken.of(command.authToken)),
      whatsappNumber: command.whatsappNumber ?? '',
      webhookUrl,
      now,
    });
    await this.integrations.save(integration);
    const ok = await this.connectionCheck.run(integration);
    await this.integrations.save(integration);
    if (!ok) await notifyAdminsOfFailure(this.notifications, integration);
    await this.events.publishAll(integration.pullDomainEvents());
    return toIntegrationView(integration);
  }
}
