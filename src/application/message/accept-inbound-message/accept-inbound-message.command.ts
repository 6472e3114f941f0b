import { TwilioWebhookRequest } from '../webhooks/twilio-webhook-request';

/** Twilio's inbound-message webhook: a customer wrote to one of our numbers. */
export class AcceptInboundMessageCommand {
  constructor(readonly request: TwilioWebhookRequest) {}
}

export interface AcceptInboundMessageResult {
  readonly messageId: string;
  /** False when this MessageSid was already waiting in the inbox (a replay). */
  readonly accepted: boolean;
}
