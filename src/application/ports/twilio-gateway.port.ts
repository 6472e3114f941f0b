/**
 * Everything Zapdesk asks of Twilio. The core speaks in these terms only; the adapter
 * (`infrastructure/twilio/twilio-sdk.gateway.ts`) maps them onto the official SDK.
 *
 * Every method throws a `TwilioGatewayError` on failure, already classified, so callers
 * decide retry / fail / mark-integration-error without knowing Twilio's codes.
 */

/** Credentials of one Twilio account (master or subaccount); the token is clear text in memory only. */
export interface TwilioCredentials {
  readonly accountSid: string;
  readonly authToken: string;
}

export type TwilioFailureKind =
  /** 20003 / HTTP 401: the credentials are wrong or revoked. */
  | 'auth'
  /** 429 / 20429, 5xx, network errors, timeouts, 63018: try again later. */
  | 'transient'
  /** 21211, 21610, 63016 and every other 4xx: retrying will not help. */
  | 'permanent'
  /** 20404 / HTTP 404: the resource does not exist (already released, closed, ...). */
  | 'not_found';

export class TwilioGatewayError extends Error {
  constructor(
    readonly kind: TwilioFailureKind,
    /** Twilio's numeric error code when it sent one (e.g. 20003, 21211), else undefined. */
    readonly twilioCode: number | undefined,
    /** HTTP status when a response came back, else undefined (network error / timeout). */
    readonly httpStatus: number | undefined,
    message: string,
    /** Milliseconds Twilio asked us to wait (Retry-After), when it said so. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TwilioGatewayError';
  }
}

export interface SubAccount {
  readonly accountSid: string;
  readonly authToken: string;
  readonly friendlyName: string;
  readonly status: 'active' | 'suspended' | 'closed';
}

export interface AvailableNumber {
  readonly phoneNumber: string; // E.164
}

export interface PurchasedNumber {
  readonly sid: string; // PN...
  readonly phoneNumber: string; // E.164
}

export interface WebhookTarget {
  /** Base public URL of Zapdesk, e.g. https://api.example.com (no trailing slash). */
  readonly apiUrl: string;
  readonly method: 'POST' | 'GET';
  /** Also set the number's StatusCallback (to replace a stale one); left as it is when absent. */
  readonly statusCallbackUrl?: string;
}

export interface NumberConfig {
  readonly sid: string;
  readonly phoneNumber: string;
  readonly smsUrl: string | null;
  readonly smsMethod: string | null;
  readonly smsFallbackUrl: string | null;
  readonly statusCallback: string | null;
}

export type SenderStatus =
  | 'CREATING'
  | 'ONLINE'
  | 'OFFLINE'
  | 'PENDING_VERIFICATION'
  | 'VERIFYING'
  | 'TWILIO_REVIEW'
  | 'DRAFT'
  | 'STUBBED'
  | 'ONLINE:UPDATING';

export interface WhatsAppSender {
  readonly sid: string; // XE...
  readonly senderId: string; // whatsapp:+E164
  readonly status: SenderStatus | string;
}

export interface AccountInfo {
  readonly sid: string;
  readonly friendlyName: string;
  readonly status: string;
}

export interface Balance {
  readonly accountSid: string;
  readonly balance: number;
  readonly currency: string;
}

export interface OutboundMessageRequest {
  readonly from: string; // E.164, without whatsapp: (the adapter adds it)
  readonly to: string; // E.164, without whatsapp:
  readonly body?: string;
  readonly contentSid?: string;
  readonly contentVariables?: Record<string, string>;
  /** Public URLs Twilio fetches the media from (WhatsApp: one per message; `body` is its caption). */
  readonly mediaUrl?: readonly string[];
  readonly statusCallback: string;
}

export interface SentMessage {
  readonly sid: string; // SM... / MM...
  readonly status: string;
  readonly dateCreated: Date | null;
}

export interface TwilioMessageLookup {
  readonly from: string; // E.164
  readonly to: string; // E.164
  readonly sentAfter: Date;
}

export interface TwilioGateway {
  createSubAccount(master: TwilioCredentials, friendlyName: string): Promise<SubAccount>;
  closeSubAccount(master: TwilioCredentials, subAccountSid: string): Promise<void>;
  /** The active subaccount of the master with this friendly name, or null (saga idempotency). */
  findSubAccountByName(master: TwilioCredentials, friendlyName: string): Promise<SubAccount | null>;
  /** Every IncomingPhoneNumber of the account (a provisioned subaccount owns at most one). */
  listOwnedNumbers(account: TwilioCredentials): Promise<PurchasedNumber[]>;
  /** Up to `limit` SMS-capable local numbers for sale, in Twilio's order (none: an empty list). */
  searchAvailableNumbers(account: TwilioCredentials, countryCode: string, areaCode: string | undefined, limit: number): Promise<AvailableNumber[]>;
  buyNumber(account: TwilioCredentials, phoneNumber: string, friendlyName?: string): Promise<PurchasedNumber>;
  /** Finds the IncomingPhoneNumber of this account that has this E.164 number, or null. */
  findNumber(account: TwilioCredentials, phoneNumber: string): Promise<PurchasedNumber | null>;
  configureWebhook(account: TwilioCredentials, numberSid: string, target: WebhookTarget): Promise<NumberConfig>;
  fetchNumberConfig(account: TwilioCredentials, numberSid: string): Promise<NumberConfig>;
  releaseNumber(account: TwilioCredentials, numberSid: string): Promise<void>;
  registerWhatsAppSender(account: TwilioCredentials, phoneNumber: string, profileName: string): Promise<WhatsAppSender>;
  fetchSenderStatus(account: TwilioCredentials, senderSid: string): Promise<WhatsAppSender>;
  fetchAccount(account: TwilioCredentials): Promise<AccountInfo>;
  fetchBalance(account: TwilioCredentials): Promise<Balance>;
  /**
   * Auth-token rotation (Accounts v1), on the account of the credentials: creates (or replaces)
   * its secondary token; both tokens authenticate until `promoteSecondaryAuthToken`, which makes
   * the secondary the primary and voids the old one. Answers the new token, clear text in memory only.
   */
  createSecondaryAuthToken(account: TwilioCredentials): Promise<string>;
  promoteSecondaryAuthToken(account: TwilioCredentials): Promise<string>;
  deleteSecondaryAuthToken(account: TwilioCredentials): Promise<void>;
  sendMessage(account: TwilioCredentials, request: OutboundMessageRequest): Promise<SentMessage>;
  fetchMessage(account: TwilioCredentials, messageSid: string): Promise<SentMessage & { errorCode: number | null }>;
  /** Messages sent from/to these numbers after a date: reconciles a send whose SID was never stored. */
  listMessages(account: TwilioCredentials, lookup: TwilioMessageLookup): Promise<ReadonlyArray<SentMessage & { to: string; from: string; body: string | null }>>;
  /**
   * Opens a stored inbound media item. The account's credentials go only to that account's own
   * Twilio media URL (refused with MediaUrlRefusedError otherwise, before any request) and never
   * across Twilio's redirect to its CDN. A 404 (media not ready yet) is retried briefly.
   */
  openMedia(account: TwilioCredentials, mediaUrl: string): Promise<MediaContent>;
}

/** Paths Twilio POSTs to; the webhook configuration and the signature check both use them. */
export const INBOUND_WEBHOOK_PATH = '/ticket-messages/webhook';
export const STATUS_CALLBACK_PATH = '/ticket-messages/status';
/** Twilio connection overrides: retry 3 times on 5xx, connect timeout and read timeout. Never sent to us, never signed. */
export const CONNECTION_OVERRIDE_FRAGMENT = '#rc=3&rp=5xx,ct,rt';

/** A media item being downloaded: read `body` to the end, or stop early to cancel the download. */
export interface MediaContent {
  /** As Twilio's CDN sent it; null when it sent none. */
  readonly contentType: string | null;
  readonly contentLength: number | null;
  readonly body: AsyncIterable<Uint8Array>;
}

/** The media URL is not a Twilio media URL of the account: nothing was sent anywhere. */
export class MediaUrlRefusedError extends TwilioGatewayError {
  constructor(reason: string) {
    super('permanent', undefined, undefined, `openMedia refused: ${reason}`);
    this.name = 'MediaUrlRefusedError';
  }
}
