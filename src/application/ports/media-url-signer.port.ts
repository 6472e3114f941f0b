/**
 * Public, unguessable, expiring URLs of stored attachments, which Twilio fetches (`MediaUrl`):
 * the path carries the attachment id, an expiry and an HMAC of both.
 */
export interface MediaUrlSigner {
  /** Absolute URL under API_URL, valid until now + the signer's lifetime. */
  publicUrl(attachmentId: string): string;
  /** The attachment id of a valid, unexpired path; null for anything else (altered, expired, malformed). */
  verify(id: string, expires: string, signature: string): string | null;
}

/** The media URL kept on an outbound message for a stored attachment (not a URL: signed only when sent). */
export const ATTACHMENT_REF_PREFIX = 'attachment:';

export function attachmentRef(id: string): string {
  return `${ATTACHMENT_REF_PREFIX}${id}`;
}

export function attachmentIdOf(url: string): string | null {
  return url.startsWith(ATTACHMENT_REF_PREFIX) ? url.slice(ATTACHMENT_REF_PREFIX.length) : null;
}
