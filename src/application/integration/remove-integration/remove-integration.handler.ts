import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { NotFoundError } from '../../../domain/shared/domain-error';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { SecretCipher } from '../../ports/secret-cipher.port';
import { ServiceConfig } from '../../ports/service-config.port';
import { TwilioGateway } from '../../ports/twilio-gateway.port';
import { releaseProvisionedResources } from '../provisioning/release-provisioned-resources';
import { RemoveIntegrationCommand } from './remove-integration.command';

/**
 * Releases what Zapdesk bought (the number, the subaccount) and deletes the integration,
 * freeing the number. Twilio answering "not found" counts as already released, so a
 * partially failed removal can simply be retried; the document goes last.
 */
export class RemoveIntegrationHandler {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly twilio: TwilioGateway,
    private readonly cipher: SecretCipher,
    private readonly config: ServiceConfig,
    private readonly clock: Clock,
    private readonly events: DomainEventPublisher,
  ) {}

  async execute(command: RemoveIntegrationCommand): Promise<void> {
    const integration = await this.integrations.findById(command.companyId, command.integrationId);
    if (!integration) throw new NotFoundError('integration', command.integrationId);
    if (integration.ownsTwilioResources) {
      await releaseProvisionedResources(integration, { twilio: this.twilio, cipher: this.cipher, config: this.config });
    }
    if (!(await this.integrations.delete(command.companyId, command.integrationId))) {
      throw new NotFoundError('integration', command.integrationId);
    }
    integration.markRemoved(this.clock.now());
    await this.events.publishAll(integration.pullDomainEvents());
  }
}
