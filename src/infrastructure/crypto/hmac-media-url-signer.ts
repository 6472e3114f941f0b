import { createHmac, timingSafeEqual } from 'node:crypto';
import { Clock } from '../../application/ports/clock.port';
import { MediaUrlSigner } from '../../application/ports/media-url-signer.port';

/** Where Twilio fetches an outbound attachment: `/media/<id>/<expiry, unix seconds>/<HMAC>`. */
export const PUBLIC_MEDIA_PATH = '/media';

/**
 * HMAC-SHA256 signed media URLs. The key is derived from the service's JWT secret (configured,
 * or the development secret in the data folder) under its own label, so it is never the token
 * key itself; rotating JWT_SECRET invalidates outstanding media URLs, which expire anyway.
 */
export class HmacMediaUrlSigner implements MediaUrlSigner {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly apiUrl: string,
    private readonly clock: Clock,
    /** Long enough for Twilio to fetch the media of a message waiting for its turn or a retry. */
    private readonly lifetimeMs: number = 24 * 60 * 60 * 1000,
  ) {
    this.key = createHmac('sha256', secret).update('zapdesk outbound media url v1').digest();
  }

  publicUrl(attachmentId: string): string {
    const expires = String(Math.floor((this.clock.now().getTime() + this.lifetimeMs) / 1000));
    return `${this.apiUrl}${PUBLIC_MEDIA_PATH}/${attachmentId}/${expires}/${this.sign(attachmentId, expires)}`;
  }

  verify(id: string, expires: string, signature: string): string | null {
    if (!/^[0-9a-f]{24}$/.test(id) || !/^\d{1,12}$/.test(expires) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return null;
    const expected = Buffer.from(this.sign(id, expires));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return Number(expires) * 1000 > this.clock.now().getTime() ? id : null;
  }

  private sign(id: string, expires: string): string {
    return createHmac('sha256', this.key).update(`${id}.${expires}`).digest('base64url');
  }
}
