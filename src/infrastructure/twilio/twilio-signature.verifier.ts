import twilio from 'twilio';
import { WebhookParams, WebhookSignatureVerifier } from '../../application/ports/webhook-signature.port';

/**
 * Twilio's own check (`twilio.validateRequest`): HMAC-SHA1 (or SHA-256 when Twilio's
 * signature-settings header says so) over the URL followed by the sorted parameters,
 * compared in constant time; it also tries the URL with and without the default port, as
 * Twilio's libraries do.
 */
export class TwilioSignatureVerifier implements WebhookSignatureVerifier {
  verify(input: { authToken: string; signature: string; url: string; params: WebhookParams; signatureSettings?: string }): boolean {
    const algorithm = twilio.getSignatureAlgorithm(input.signatureSettings);
    try {
      return twilio.validateRequest(input.authToken, input.signature, input.url, { ...input.params } as Record<string, unknown>, algorithm);
    } catch {
      // A URL that does not parse cannot have been signed by Twilio.
      return false;
    }
  }
}
