import { Container } from 'inversify';
import { IntegrationMonitor } from '../../../application/integration/monitoring/integration-monitor';
import { RotateAuthTokenCommand } from '../../../application/integration/rotate-token/rotate-auth-token.command';
import { RotateAuthTokenHandler } from '../../../application/integration/rotate-token/rotate-auth-token.handler';
import { WEBHOOK_INTEGRATION_CACHE_MS } from '../../../application/message/webhooks/twilio-webhook-authenticator';
import { TOKENS } from '../../../application/ports/tokens';
import { IntegrationOperationsController } from '../../../interfaces/http/integrations/integration-operations.controller';
import { MongooseIntegrationMonitorStore } from '../../persistence/mongoose/integration/mongoose-integration-monitor.store';
import { IntegrationMonitorWorker } from '../../workers/integration-monitor-worker';
import { CoreDependencies } from '../core-dependencies';
import { CoreModule } from '../core-module';

const MONITOR_STORE = Symbol('IntegrationMonitorStore');

/** Operations: the integration monitor (health, balance, webhook drift) and auth-token rotation. */
export const operationsModule: CoreModule = {
  name: 'operations',
  commands: [{ message: RotateAuthTokenCommand, handler: RotateAuthTokenHandler }],
  queries: [],
  controllers: [IntegrationOperationsController],
  bind(c: Container, deps: CoreDependencies): void {
    const settings = deps.environment.monitor;
    c.bind(MONITOR_STORE).toConstantValue(new MongooseIntegrationMonitorStore(deps.connection));
    c.bind(IntegrationMonitor).toDynamicValue(
      () =>
        new IntegrationMonitor(
          c.get(MONITOR_STORE),
          c.get(TOKENS.IntegrationRepository),
          c.get(TOKENS.TwilioGateway),
          c.get(TOKENS.SecretCipher),
          c.get(TOKENS.ServiceConfig),
          c.get(TOKENS.Clock),
          c.get(TOKENS.NotificationStore),
          c.get(TOKENS.DomainEventPublisher),
          { balanceAlertThreshold: settings.balanceAlertThreshold },
          { warn: deps.warn },
        ),
    );
    c.bind(IntegrationMonitorWorker).toDynamicValue(
      () => new IntegrationMonitorWorker(() => c.get(IntegrationMonitor), c.get(MONITOR_STORE), c.get(TOKENS.Clock), settings.intervalMs, deps.reportError),
    );
    c.bind(RotateAuthTokenHandler).toDynamicValue(
      () =>
        new RotateAuthTokenHandler(
          c.get(TOKENS.IntegrationRepository),
          c.get(TOKENS.TwilioGateway),
          c.get(TOKENS.SecretCipher),
          c.get(TOKENS.Clock),
          c.get(TOKENS.DomainEventPublisher),
          (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          WEBHOOK_INTEGRATION_CACHE_MS,
        ),
    );
  },
  workers: (c) => [c.get(IntegrationMonitorWorker)],
};
