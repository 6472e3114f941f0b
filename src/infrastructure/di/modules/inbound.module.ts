import { Container } from 'inversify';
import { AcceptInboundMessageCommand } from '../../../application/message/accept-inbound-message/accept-inbound-message.command';
import { AcceptInboundMessageHandler } from '../../../application/message/accept-inbound-message/accept-inbound-message.handler';
import { InboundFilingProcess } from '../../../application/message/inbound-inbox/inbound-filing.process';
import { ReceiveMessageCommand } from '../../../application/message/receive-message/receive-message.command';
import { ReceiveMessageHandler } from '../../../application/message/receive-message/receive-message.handler';
import { UpdateMessageStatusCommand } from '../../../application/message/update-message-status/update-message-status.command';
import { UpdateMessageStatusHandler } from '../../../application/message/update-message-status/update-message-status.handler';
import { TwilioWebhookAuthenticator } from '../../../application/message/webhooks/twilio-webhook-authenticator';
import { TOKENS } from '../../../application/ports/tokens';
import { TwilioWebhooksController } from '../../../interfaces/http/webhooks/twilio-webhooks.controller';
import { MongooseInboundInbox } from '../../persistence/mongoose/inbound-inbox/mongoose-inbound-inbox';
import { TwilioSignatureVerifier } from '../../twilio/twilio-signature.verifier';
import { InboundFilingWorker } from '../../workers/inbound-filing-worker';
import { CoreDependencies } from '../core-dependencies';
import { CoreModule } from '../core-module';

/** Inbound WhatsApp messages and delivery status callbacks: Twilio's signed webhooks. */
export const inboundModule: CoreModule = {
  name: 'inbound',
  commands: [
    { message: AcceptInboundMessageCommand, handler: AcceptInboundMessageHandler },
    { message: ReceiveMessageCommand, handler: ReceiveMessageHandler },
    { message: UpdateMessageStatusCommand, handler: UpdateMessageStatusHandler },
  ],
  queries: [],
  controllers: [TwilioWebhooksController],
  bind(c: Container, deps: CoreDependencies): void {
    const filing = deps.environment.inboundFiling;
    c.bind(TOKENS.WebhookSignatureVerifier).toConstantValue(new TwilioSignatureVerifier());
    c.bind(TOKENS.InboundInbox).toConstantValue(new MongooseInboundInbox(deps.connection));
    c.bind(TwilioWebhookAuthenticator).toDynamicValue(
      () => new TwilioWebhookAuthenticator(c.get(TOKENS.IntegrationRepository), c.get(TOKENS.SecretCipher), c.get(TOKENS.WebhookSignatureVerifier), c.get(TOKENS.ServiceConfig)),
    );
    c.bind(ReceiveMessageHandler).toDynamicValue(
      () => new ReceiveMessageHandler(c.get(TOKENS.TicketRepository), c.get(TOKENS.MessageRepository), c.get(TOKENS.IdGenerator), c.get(TOKENS.Clock), c.get(TOKENS.DomainEventPublisher)),
    );
    c.bind(InboundFilingProcess).toDynamicValue(
      () => new InboundFilingProcess(c.get(ReceiveMessageHandler), c.get(TOKENS.InboundInbox), c.get(TOKENS.Clock), filing, deps.reportError),
    );
    c.bind(AcceptInboundMessageHandler).toDynamicValue(
      () => new AcceptInboundMessageHandler(c.get(TwilioWebhookAuthenticator), c.get(TOKENS.InboundInbox), c.get(InboundFilingProcess), c.get(TOKENS.IdGenerator), c.get(TOKENS.Clock)),
    );
    c.bind(InboundFilingWorker).toDynamicValue(() => new InboundFilingWorker(c.get(InboundFilingProcess), filing.sweepEveryMs, deps.reportError));
    c.bind(UpdateMessageStatusHandler).toDynamicValue(
      () =>
        new UpdateMessageStatusHandler(
          c.get(TwilioWebhookAuthenticator),
          c.get(TOKENS.MessageRepository),
          c.get(TOKENS.TicketRepository),
          c.get(TOKENS.NotificationStore),
          c.get(TOKENS.Clock),
          c.get(TOKENS.DomainEventPublisher),
        ),
    );
  },
  ensureIndexes: (c) => c.get<MongooseInboundInbox>(TOKENS.InboundInbox).ensureIndexes(),
  workers: (c) => [c.get(InboundFilingWorker)],
};
