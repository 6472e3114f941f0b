import { IntegrationRepository } from '../../../domain/integration/integration.repository';
import { DomainError } from '../../../domain/shared/domain-error';
import { Clock } from '../../ports/clock.port';
import { DomainEventPublisher } from '../../ports/domain-event-publisher.port';
import { NotificationStore } from '../../ports/notification.port';
import { ConnectionCheck } from '../connection-check';
import { notifyAdminsOfFailure } from '../integration-alerts';
import { loadIntegration } from '../integration-credentials';
import { IntegrationView, toIntegrationView } from '../integration.view';
import { UpdateIntegrationCommand } from './update-integration.command';

/**
 * Settings and on/off. Switching a failed integration back on first re-checks its
 * connection; a provisioning one cannot be switched by hand.
 */
export class UpdateIntegrationHandler {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly clock: Clock,
    private readonly connectionCheck: ConnectionCheck,
    private readonly notifications: NotificationStore,
    private readonly events: DomainEventPublisher,
  ) {}

  async execute(command: UpdateIntegrationCommand): Promise<IntegrationView> {
    const integration = await loadIntegration(this.integrations, command.companyId, command.integrationId);
    const now = this.clock.now();
    const { status, ...settings } = command.changes;
    if (status !== undefined && integration.status === 'pending') {
      throw new DomainError('INTEGRATION.PROVISIONING', 'conflict', 'the integration is still being set up; its status changes by itself');
    }
    integration.updateSettings(settings, now);
    let failed = false;
    if (status === 'inactive') integration.deactivate(now);
    if (status === 'active' && integration.status === 'error') failed = !(await this.connectionCheck.run(integration));
    else if (status === 'active') integration.activate(now);
    await this.integrations.save(integration);
    if (failed) await notifyAdminsOfFailure(this.notifications, integration);
    await this.events.publishAll(integration.pullDomainEvents());
    return toIntegrationView(integration);
  }
}
