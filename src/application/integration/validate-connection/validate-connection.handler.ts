import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { DomainError } from '../../../domain/shared/domain-error';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { NotificationStore } from '../../ports/notification.port';
import { ConnectionCheck } from '../connection-check';
import { notifyAdminsOfFailure } from '../integration-alerts';
import { loadIntegration } from '../integration-credentials';
import { IntegrationView, toIntegrationView } from '../integration.view';
import { ValidateConnectionCommand } from './validate-connection.command';

/** Tests the connection now; answers the resulting status and lastError. */
export class ValidateConnectionHandler {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly connectionCheck: ConnectionCheck,
    private readonly notifications: NotificationStore,
    private readonly events: DomainEventPublisher,
  ) {}

  async execute(command: ValidateConnectionCommand): Promise<IntegrationView> {
    const integration = await loadIntegration(this.integrations, command.companyId, command.integrationId);
    if (integration.isProvisioning) {
      throw new DomainError('INTEGRATION.PROVISIONING', 'conflict', 'the integration is still being set up');
    }
    const ok = await this.connectionCheck.run(integration);
    await this.integrations.save(integration);
    if (!ok) await notifyAdminsOfFailure(this.notifications, integration);
    await this.events.publishAll(integration.pullDomainEvents());
    return toIntegrationView(integration);
  }
}
