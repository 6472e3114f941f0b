import { Container } from 'inversify';
import { DeliveryProcessor } from '../../../application/delivery/delivery-processor';
import { DeliveryTrigger } from '../../../application/delivery/delivery-trigger';
import { RetryMessageCommand } from '../../../application/message/retry-message/retry-message.command';
import { RetryMessageHandler } from '../../../application/message/retry-message/retry-message.handler';
import { SendMessageCommand } from '../../../application/message/send-message/send-message.command';
import { SendMessageHandler } from '../../../application/message/send-message/send-message.handler';
import { TOKENS } from '../../../application/ports/tokens';
import { TemplateCatalogue } from '../../../application/template/template-catalogue';
import { RepliesController } from '../../../interfaces/http/replies/replies.controller';
import { DeliveryQueueSweep } from '../../persistence/mongoose/delivery/delivery-queue-sweep';
import { MongooseDeliveryOutbox } from '../../persistence/mongoose/delivery/mongoose-delivery-outbox';
import { MongooseSendPermits } from '../../persistence/mongoose/delivery/mongoose-send-permits';
import { DeliveryWorker } from '../../workers/delivery-worker';
import { CoreDependencies } from '../core-dependencies';
import { CoreModule } from '../core-module';

/** Outbound replies: send, the durable delivery outbox and its workers, retry. */
export const deliveryModule: CoreModule = {
  name: 'delivery',
  commands: [
    { message: SendMessageCommand, handler: SendMessageHandler },
    { message: RetryMessageCommand, handler: RetryMessageHandler },
  ],
  queries: [],
  controllers: [RepliesController],
  bind(c: Container, deps: CoreDependencies): void {
    const settings = deps.environment.delivery;
    const outbox = new MongooseDeliveryOutbox(deps.connection);
    c.bind(TOKENS.DeliveryOutbox).toConstantValue(outbox);
    const sweep = new DeliveryQueueSweep(deps.connection, outbox.queue);
    c.bind(TOKENS.SendRateLimiter).toConstantValue(new MongooseSendPermits(deps.connection, { guardMs: settings.rateGuardMs }));
    c.bind(DeliveryProcessor).toDynamicValue(
      () =>
        new DeliveryProcessor({
          messages: c.get(TOKENS.MessageRepository),
          outbox: c.get(TOKENS.DeliveryOutbox),
          tickets: c.get(TOKENS.TicketRepository),
          integrations: c.get(TOKENS.IntegrationRepository),
          twilio: c.get(TOKENS.TwilioGateway),
          cipher: c.get(TOKENS.SecretCipher),
          rateLimiter: c.get(TOKENS.SendRateLimiter),
          notifications: c.get(TOKENS.NotificationStore),
          events: c.get(TOKENS.DomainEventPublisher),
          clock: c.get(TOKENS.Clock),
          config: c.get(TOKENS.ServiceConfig),
          settings,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          random: Math.random,
          warn: deps.warn,
          mediaUrls: c.get(TOKENS.MediaUrlSigner),
          ...(deps.deliveryHooks ? { hooks: deps.deliveryHooks } : {}),
          ...(deps.sendMetrics ? { metrics: deps.sendMetrics } : {}),
        }),
    );
    c.bind(DeliveryWorker).toDynamicValue(() => {
      return new DeliveryWorker(
        () => c.get(DeliveryProcessor),
        {
          pollIntervalMs: settings.pollIntervalMs,
          concurrency: settings.concurrency,
          sweep: async () => {
            const restored = await sweep.run();
            if (restored > 0) deps.warn('delivery queue: pending messages without a queue entry were queued again', { restored });
          },
          sweepIntervalMs: settings.queueSweepMs,
        },
        deps.reportError,
      );
    });
    c.bind<DeliveryTrigger>(TOKENS.DeliveryTrigger).toDynamicValue(() => c.get(DeliveryWorker));
    c.bind(SendMessageHandler).toDynamicValue(
      () =>
        new SendMessageHandler(
          c.get(TOKENS.TicketRepository),
          c.get(TOKENS.IntegrationRepository),
          c.get(TOKENS.MessageRepository),
          c.get(TOKENS.IdGenerator),
          c.get(TOKENS.Clock),
          c.get(TOKENS.DomainEventPublisher),
          c.get(TOKENS.DeliveryTrigger),
          c.get(TOKENS.DeliveryOutbox),
          c.get(TemplateCatalogue),
        ),
    );
    c.bind(RetryMessageHandler).toDynamicValue(
      () =>
        new RetryMessageHandler(
          c.get(TOKENS.MessageRepository),
          c.get(TOKENS.TicketRepository),
          c.get(TOKENS.IntegrationRepository),
          c.get(TOKENS.Clock),
          c.get(TOKENS.DomainEventPublisher),
          c.get(TOKENS.DeliveryTrigger),
          c.get(TOKENS.DeliveryOutbox),
        ),
    );
  },
  async ensureIndexes(c: Container): Promise<void> {
    await c.get<MongooseDeliveryOutbox>(TOKENS.DeliveryOutbox).ensureIndexes();
  },
  workers: (c: Container) => [c.get(DeliveryWorker)],
};
