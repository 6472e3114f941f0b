import { Container } from 'inversify';
import { CheckHealthHandler } from '../../application/health/check-health.query';
import { ConnectionCheck } from '../../application/integration/connection-check';
import { CreateIntegrationHandler } from '../../application/integration/create-integration/create-integration.handler';
import { FindWhatsAppIntegrationHandler } from '../../application/integration/find-whatsapp-integration/find-whatsapp-integration.query';
import { GetIntegrationHandler } from '../../application/integration/get-integration/get-integration.query';
import { ListIntegrationsHandler } from '../../application/integration/list-integrations/list-integrations.query';
import { ProvisioningProcessManager } from '../../application/integration/provisioning/provisioning.process-manager';
import { RemoveIntegrationHandler } from '../../application/integration/remove-integration/remove-integration.handler';
import { SyncWebhookHandler } from '../../application/integration/sync-webhook/sync-webhook.handler';
import { UpdateIntegrationHandler } from '../../application/integration/update-integration/update-integration.handler';
import { ValidateConnectionHandler } from '../../application/integration/validate-connection/validate-connection.handler';
import { ListNotificationsHandler, MarkNotificationReadHandler } from '../../application/notification/notification-queries';
import { DomainEventPublisher } from '../../application/ports/domain-event-publisher.port';
import { NotificationStore } from '../../application/ports/notification.port';
import { SecretCipher } from '../../application/ports/secret-cipher.port';
import { IntegrationRepository } from '../../domain/integration/integration.repository';
import { ProvisioningWorker } from '../workers/provisioning-worker';
import { Clock, IdGenerator } from '../../application/ports/clock.port';
import { DatabaseHealth } from '../../application/ports/database-health.port';
import { ServiceConfig } from '../../application/ports/service-config.port';
import { TOKENS } from '../../application/ports/tokens';
import { TwilioGateway } from '../../application/ports/twilio-gateway.port';
import { AesGcmSecretCipher } from '../crypto/aes-gcm-secret-cipher';
import { RealtimeDomainEventPublisher } from '../../application/realtime/realtime-domain-event-publisher';
import { RealtimeNotificationStore } from '../realtime/realtime-notification-store';
import { MongooseIntegrationRepository } from '../persistence/mongoose/integration/mongoose-integration.repository';
import { MongooseMessageRepository } from '../persistence/mongoose/message/mongoose-message.repository';
import { MongooseDatabaseHealth } from '../persistence/mongoose/mongoose-database-health';
import { MongooseNotificationStore } from '../persistence/mongoose/notification/mongoose-notification.store';
import { MongooseTicketRepository } from '../persistence/mongoose/ticket/mongoose-ticket.repository';
import { ObjectIdGenerator, SystemClock } from '../system/system-clock';
import { TwilioSdkGateway } from '../twilio/twilio-sdk.gateway';
import { CoreDependencies } from './core-dependencies';
import { CORE_MODULES } from './core-modules';

/**
 * The composition root of the core: ports bound to adapters, handlers built from ports.
 * No decorators on core classes; the HTTP app, workers and CLI all compose from here.
 */
export function buildCoreContainer(deps: CoreDependencies): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  const { environment } = deps;

  c.bind<Clock>(TOKENS.Clock).toConstantValue(deps.clock ?? new SystemClock());
  c.bind<IdGenerator>(TOKENS.IdGenerator).toConstantValue(new ObjectIdGenerator());
  c.bind<ServiceConfig>(TOKENS.ServiceConfig).toConstantValue({
    apiUrl: deps.apiUrl,
    masterAccount: deps.masterAccount,
    senderPollIntervalMs: environment.senderPollIntervalMs,
  });
  c.bind(TOKENS.SecretCipher).toConstantValue(new AesGcmSecretCipher(environment.keyring, environment.activeKeyId));
  c.bind<TwilioGateway>(TOKENS.TwilioGateway).toConstantValue(new TwilioSdkGateway({ apiUrl: deps.twilioApiUrl ?? undefined, ...(deps.twilioTimeoutMs ? { timeoutMs: deps.twilioTimeoutMs } : {}) }));
  // The real-time module's: durable event log append, then in-process listeners.
  c.bind(TOKENS.DomainEventPublisher).toDynamicValue(() => c.get(RealtimeDomainEventPublisher));

  c.bind(TOKENS.IntegrationRepository).toConstantValue(new MongooseIntegrationRepository(deps.connection));
  c.bind(TOKENS.TicketRepository).toConstantValue(new MongooseTicketRepository(deps.connection));
  c.bind(TOKENS.MessageRepository).toConstantValue(new MongooseMessageRepository(deps.connection));
  // The mongoose store, decorated to log `notification.created` (real-time module).
  c.bind(TOKENS.NotificationStore).toDynamicValue(() => c.get(RealtimeNotificationStore));
  c.bind<DatabaseHealth>(TOKENS.DatabaseHealth).toConstantValue(new MongooseDatabaseHealth(deps.connection));

  c.bind(CheckHealthHandler).toResolvedValue((db: DatabaseHealth) => new CheckHealthHandler(db), [TOKENS.DatabaseHealth]);
  bindIntegrationUseCases(c, deps);
  for (const module of CORE_MODULES) module.bind(c, deps);
  return c;
}

/** Creates the collections' indexes (idempotent); run once at start and by `cli db:indexes`. */
export async function ensureIndexes(container: Container): Promise<void> {
  await container.get<MongooseIntegrationRepository>(TOKENS.IntegrationRepository).ensureIndexes();
  await container.get<MongooseTicketRepository>(TOKENS.TicketRepository).ensureIndexes();
  await container.get<MongooseMessageRepository>(TOKENS.MessageRepository).ensureIndexes();
  await container.get<MongooseNotificationStore>(TOKENS.NotificationStore).ensureIndexes();
  for (const module of CORE_MODULES) await module.ensureIndexes?.(container);
}

type Get = <T>(token: symbol) => T;

function bindIntegrationUseCases(c: Container, deps: CoreDependencies): void {
  const get: Get = (token) => c.get(token);
  const repo = () => get<IntegrationRepository>(TOKENS.IntegrationRepository);
  const twilio = () => get<TwilioGateway>(TOKENS.TwilioGateway);
  const cipher = () => get<SecretCipher>(TOKENS.SecretCipher);
  const clock = () => get<Clock>(TOKENS.Clock);
  const config = () => get<ServiceConfig>(TOKENS.ServiceConfig);
  const notifications = () => get<NotificationStore>(TOKENS.NotificationStore);
  const events = () => get<DomainEventPublisher>(TOKENS.DomainEventPublisher);

  c.bind(ConnectionCheck).toDynamicValue(() => new ConnectionCheck(twilio(), cipher(), clock()));
  c.bind(ProvisioningProcessManager).toDynamicValue(
    () => new ProvisioningProcessManager(repo(), twilio(), cipher(), config(), clock(), notifications(), events(), { warn: deps.warn }),
  );
  c.bind(ProvisioningWorker).toDynamicValue(
    () => new ProvisioningWorker(() => c.get(ProvisioningProcessManager), deps.provisioningIntervalMs ?? 5000, deps.reportError),
  );
  c.bind(CreateIntegrationHandler).toDynamicValue(
    () =>
      new CreateIntegrationHandler(
        repo(),
        cipher(),
        get(TOKENS.IdGenerator),
        clock(),
        config(),
        c.get(ConnectionCheck),
        notifications(),
        events(),
        c.get(ProvisioningWorker),
      ),
  );
  c.bind(UpdateIntegrationHandler).toDynamicValue(() => new UpdateIntegrationHandler(repo(), clock(), c.get(ConnectionCheck), notifications(), events()));
  c.bind(RemoveIntegrationHandler).toDynamicValue(() => new RemoveIntegrationHandler(repo(), twilio(), cipher(), config(), clock(), events()));
  c.bind(ValidateConnectionHandler).toDynamicValue(() => new ValidateConnectionHandler(repo(), c.get(ConnectionCheck), notifications(), events()));
  c.bind(SyncWebhookHandler).toDynamicValue(() => new SyncWebhookHandler(repo(), twilio(), cipher(), config(), clock(), events()));
  c.bind(GetIntegrationHandler).toDynamicValue(() => new GetIntegrationHandler(repo()));
  c.bind(ListIntegrationsHandler).toDynamicValue(() => new ListIntegrationsHandler(repo()));
  c.bind(FindWhatsAppIntegrationHandler).toDynamicValue(() => new FindWhatsAppIntegrationHandler(repo()));
  c.bind(ListNotificationsHandler).toDynamicValue(() => new ListNotificationsHandler(notifications()));
  c.bind(MarkNotificationReadHandler).toDynamicValue(() => new MarkNotificationReadHandler(notifications()));
}
