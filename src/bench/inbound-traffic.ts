import { newSid } from '../emulator/emulator-ids';
import { signWebhook } from '../emulator/emulator-webhooks';
import type { PreparedWebhook } from './webhook-client';

export interface InboundTrafficOptions {
  /** How many webhooks, each with its own MessageSid. */
  readonly count: number;
  /** Customers writing in, round-robin: with fewer contacts than messages tickets are both opened and appended to. */
  readonly contacts: number;
  readonly accountSid: string;
  /** Our WhatsApp number (E.164). */
  readonly to: string;
  /** The account's auth token: the signing key. */
  readonly authToken: string;
  /** The public webhook URL the signature covers (`{API_URL}/ticket-messages/webhook`). */
  readonly signedUrl: string;
  /** Distinguishes the contacts of separate batches (warm-up, measured) when wanted. */
  readonly contactOffset?: number;
}

/** The n-th bench customer's number: +1 555 followed by seven digits. */
export function contactNumber(n: number): string {
  return `+1555${String(n).padStart(7, '0')}`;
}

/**
 * Inbound WhatsApp text webhooks with Twilio's field set (as the emulator's
 * `buildInboundParams` sends them), unique MessageSids, signed with the account's token.
 * Built without registering each message in the emulator, to keep the client cheap.
 */
export function buildInboundWebhooks(options: InboundTrafficOptions): PreparedWebhook[] {
  const offset = options.contactOffset ?? 0;
  return Array.from({ length: options.count }, (_, index) => {
    const contact = offset + (index % options.contacts);
    const from = contactNumber(contact);
    const sid = newSid('SM');
    const params: Record<string, string> = {
      SmsMessageSid: sid,
      NumMedia: '0',
      ProfileName: `Bench Customer ${contact}`,
      MessageType: 'text',
      SmsSid: sid,
      WaId: from.slice(1),
      SmsStatus: 'received',
      Body: `Hello, this is message ${index} from customer ${contact}: my order has not arrived yet.`,
      To: `whatsapp:${options.to}`,
      NumSegments: '1',
      ReferralNumMedia: '0',
      MessageSid: sid,
      AccountSid: options.accountSid,
      From: `whatsapp:${from}`,
      ApiVersion: '2010-04-01',
    };
    return {
      messageSid: sid,
      from,
      body: new URLSearchParams(params).toString(),
      signature: signWebhook(options.authToken, options.signedUrl, params),
    };
  });
}
