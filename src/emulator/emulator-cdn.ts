import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeResponse } from './emulator-http';
import type { EmulatorState } from './emulator-state';

/**
 * The emulated media CDN. Twilio answers an authenticated GET on a media URL with a 307 to a
 * signed, short-lived CDN URL that needs no credentials; the emulator does the same under
 * `/cdn/media/<token>` on its own host, so a client that forwarded the Authorization header
 * across the redirect is visible in `state.cdnRequests`.
 */
export const CDN_PATH_PREFIX = '/cdn/media/';
const LINK_TTL_MS = 5 * 60_000;

/** A fresh CDN path for the media item. */
export function issueCdnLink(state: EmulatorState, mediaSid: string, now = Date.now()): string {
  // Expired links are dropped as new ones are issued, so a long-running emulator stays small.
  for (const [token, link] of state.cdnLinks) if (link.expiresAt <= now) state.cdnLinks.delete(token);
  const token = randomBytes(24).toString('base64url');
  state.cdnLinks.set(token, { mediaSid, expiresAt: now + LINK_TTL_MS });
  return `${CDN_PATH_PREFIX}${token}`;
}

export function isCdnRequest(path: string): boolean {
  return path.startsWith(CDN_PATH_PREFIX);
}

export function serveCdn(req: IncomingMessage, res: ServerResponse, path: string, state: EmulatorState): void {
  const at = Date.now();
  const link = state.cdnLinks.get(path.slice(CDN_PATH_PREFIX.length));
  const media = link !== undefined && link.expiresAt > at ? state.media.get(link.mediaSid) : undefined;
  const method = (req.method ?? 'GET').toUpperCase();
  const status = method !== 'GET' ? 405 : media === undefined ? 404 : 200;
  state.cdnRequests.push({ path, mediaSid: status === 200 ? media?.sid : undefined, status, authorization: req.headers.authorization !== undefined, at });
  if (status === 200 && media !== undefined) {
    writeResponse(res, { status: 200, bytes: media.bytes, contentType: media.contentType });
    return;
  }
  // A CDN speaks plain HTTP errors, not Twilio's JSON.
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(status === 405 ? 'Method Not Allowed' : 'Not Found');
}
