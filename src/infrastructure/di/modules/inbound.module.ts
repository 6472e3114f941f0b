import { Container } from 'inversify';
import { ReceiveMessageCommand } from '../../../application/message/receive-message/receive-message.command';
import { ReceiveMessageHandler } from '../../../application/message/receive-message/receive-message.handler';
import { UpdateMessageStatusCommand } from '../../../application/message/update-message-status/update-message-status.command';
import { UpdateMessageStatusHandler } from '../../../application/message/update-message-status/update-message-status.handler';
import { TwilioWebhookAuthenticator } from '../../../application/message/webhooks/twilio-webhook-authenticator';
import { TOKENS } from '../../../application/ports/tokens';
import { TwilioWebhooksController } from '../../../interfaces/http/webhooks/twilio-webhooks.controller';
import { TwilioSignatureVerifier } from '../../twilio/twilio-signature.verifier';
import { CoreModule } from '../core-module';

/** Inbound WhatsApp messages and delivery status callbacks: Twilio's signed webhooks. */
export const inboundModule: CoreModule = {
  name: 'inbound',
  commands: [
    { message: ReceiveMessageCommand, handler: ReceiveMessageHandler },
    { message: UpdateMessageStatusCommand, handler: UpdateMessageStatusHandler },
  ],
  queries: [],
  controllers: [TwilioWebhooksController],
  bind(c: Container): void {
    c.bind(TOKENS.WebhookSignatureVerifier).toConstantValue(new TwilioSignatureVerifier());
    c.bind(TwilioWebhookAuthenticator).toDynamicValue(
      () => new TwilioWebhookAuthenticator(c.get(TOKENS.IntegrationRepository), c.get(TOKENS.SecretCipher), c.get(TOKENS.WebhookSignatureVerifier), c.get(TOKENS.ServiceConfig)),
    );
    c.bind(ReceiveMessageHandler).toDynamicValue(
      () =>
        new ReceiveMessageHandler(
          c.get(TwilioWebhookAuthenticator),
          c.get(TOKENS.TicketRepository),
          c.get(TOKENS.MessageRepository),
          c.get(TOKENS.IdGenerator),
          c.get(TOKENS.Clock),
          c.get(TOKENS.DomainEventPublisher),
        ),
    );
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
};
