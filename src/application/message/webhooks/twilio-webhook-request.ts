import { WebhookParams } from '../../ports/webhook-signature.port';

/** A Twilio webhook as the HTTP edge received it; the core checks and interprets it. */
export interface TwilioWebhookRequest {
  /** Path and query exactly as requested (`/ticket-messages/status?messageId=...`). */
  readonly pathAndQuery: string;
  /** `X-Twilio-Signature`, or null when absent. */
  readonly signature: string | null;
  readonly signatureSettings?: string;
  readonly params: WebhookParams;
}

/** The single value of a parameter; a repeated parameter where one is expected is malformed. */
export function singleParam(params: WebhookParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return value.length === 1 ? value[0] : undefined;
}
