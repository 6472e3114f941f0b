import { TwilioWebhookRequest } from '../webhooks/twilio-webhook-request';

/** Twilio's status callback for one of our outbound messages. */
export class UpdateMessageStatusCommand {
  constructor(
    readonly request: TwilioWebhookRequest,
    /** `messageId` from the StatusCallback URL we gave Twilio, when present. */
    readonly messageId: string | null,
    /** `attempt` from that URL: which send of the message the callback is about. */
    readonly attempt: string | null = null,
  ) {}
}

export interface UpdateMessageStatusResult {
  /** False when the callback was acknowledged without effect (unknown message, stale or repeated status). */
  readonly applied: boolean;
}
