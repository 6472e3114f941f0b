import { TwilioWebhookRequest } from '../webhooks/twilio-webhook-request';

/** Twilio's inbound-message webhook: a customer wrote to one of our numbers. */
export class ReceiveMessageCommand {
  constructor(readonly request: TwilioWebhookRequest) {}
}

export interface ReceiveMessageResult {
  readonly companyId: string;
  readonly ticketId: string;
  readonly messageId: string;
  /** True when this MessageSid had been received and counted before (a replay). */
  readonly replay: boolean;
}
