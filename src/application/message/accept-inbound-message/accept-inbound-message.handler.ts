import { Clock, IdGenerator } from '../../ports/clock.port';
import { InboundFilingTrigger, InboundInbox } from '../../ports/inbound-inbox.port';
import { parseInboundWhatsAppMessage } from '../receive-message/inbound-whatsapp-message';
import { TwilioWebhookAuthenticator } from '../webhooks/twilio-webhook-authenticator';
import { AcceptInboundMessageCommand, AcceptInboundMessageResult } from './accept-inbound-message.command';

/**
 * The inbound webhook: proves Twilio sent it, checks it, and stores it durably in the inbox —
 * one write — before Twilio gets its answer. Filing it on the contact's ticket (and the
 * real-time events) follows at once in the background (ReceiveMessageHandler), and again
 * from the inbox after a crash, so an acknowledged message is never lost and Twilio's
 * answer never waits for the ticket work.
 */
export class AcceptInboundMessageHandler {
  constructor(
    private readonly authenticator: TwilioWebhookAuthenticator,
    private readonly inbox: InboundInbox,
    private readonly filing: InboundFilingTrigger,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(command: AcceptInboundMessageCommand): Promise<AcceptInboundMessageResult> {
    const integration = await this.authenticator.authenticate(command.request, 'inbound');
    const message = parseInboundWhatsAppMessage(command.request.params);
    const entry = {
      // Derived from (integration, MessageSid): every replay of the webhook names the same message.
      messageId: this.ids.derive(`inbound:${integration.id}:${message.messageSid}`),
      companyId: integration.companyId,
      integrationId: integration.id,
      message,
      acceptedAt: this.clock.now(),
    };
    const accepted = await this.inbox.accept(entry);
    if (accepted) this.filing.file(entry);
    return { messageId: entry.messageId, accepted };
  }
}
