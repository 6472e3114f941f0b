/** Form parameters of a Twilio webhook as received (a repeated name carries several values). */
export type WebhookParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * Checks Twilio's `X-Twilio-Signature`: HMAC over the public URL Twilio called followed by
 * every POST parameter sorted by name, under the account's auth token, compared in
 * constant time. The adapter uses the `twilio` package's own algorithm.
 */
export interface WebhookSignatureVerifier {
  verify(input: {
    readonly authToken: string;
    readonly signature: string;
    readonly url: string;
    readonly params: WebhookParams;
    /** `X-Twilio-Webhooks-Signature-Settings` when Twilio sent it (algorithm choice). */
    readonly signatureSettings?: string;
  }): boolean;
}
