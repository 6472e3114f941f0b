import {
  MediaUrlRefusedError,
  TwilioGatewayError,
  type MediaContent,
  type TwilioCredentials,
} from '../../application/ports/twilio-gateway.port';
import { classifyTwilioFailure, redact } from './twilio-error.mapper';
import { retryAfterMs } from './twilio-request-client';

/** Where Twilio's REST API, and so its media URLs, live when TWILIO_API_URL is not set. */
export const TWILIO_API_BASE = 'https://api.twilio.com';

/** `/2010-04-01/Accounts/{AC}/Messages/{MM|SM}/Media/{ME}`: the only path credentials go to. */
const MEDIA_PATH = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\/(?:MM|SM)[0-9a-f]{32}\/Media\/ME[0-9a-f]{32}$/;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Twilio answers 404 for a few hundred milliseconds after the webhook, until the media is stored. */
const DEFAULT_NOT_READY_DELAYS_MS: readonly number[] = [250, 500, 1000];
const ERROR_BODY_LIMIT = 4096;

export interface TwilioMediaFetcherOptions {
  /** TWILIO_API_URL; undefined = Twilio's own API. */
  readonly apiUrl?: string;
  /** Until the response headers arrive, then between two chunks of the body. */
  readonly timeoutMs: number;
  /** The waits before each retry of a 404; as many retries as entries. */
  readonly notReadyRetryDelaysMs?: readonly number[];
  readonly maxRedirects?: number;
}

/**
 * Downloads inbound media the way Twilio serves it: an authenticated GET on the account's
 * media URL answers a redirect to a signed CDN URL, followed here by hand so the
 * Authorization header is never sent past the first hop.
 */
export class TwilioMediaFetcher {
  private readonly origin: string;
  private readonly basePath: string;

  constructor(private readonly options: TwilioMediaFetcherOptions) {
    const base = new URL(options.apiUrl ?? TWILIO_API_BASE);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
  }

  async open(account: TwilioCredentials, mediaUrl: string): Promise<MediaContent> {
    const url = this.trustedMediaUrl(account.accountSid, mediaUrl);
    const authorization = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;
    const delays = this.options.notReadyRetryDelaysMs ?? DEFAULT_NOT_READY_DELAYS_MS;
    for (let attempt = 0; ; attempt += 1) {
      const { response, watchdog } = await this.fetchFollowingRedirects(url, authorization);
      const delay = delays[attempt];
      if (response.status === 404 && delay !== undefined) {
        watchdog.stop();
        await discard(response);
        await sleep(delay);
        continue;
      }
      if (!response.ok) {
        watchdog.stop();
        throw await failureOf(response, [account.authToken]);
      }
      return {
        contentType: response.headers.get('content-type'),
        contentLength: contentLengthOf(response.headers.get('content-length')),
        body: chunksOf(response, watchdog),
      };
    }
  }

  /** Refuses anything but this account's media URL under our own API base: no request is made. */
  private trustedMediaUrl(accountSid: string, raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new MediaUrlRefusedError('the media URL is not a URL');
    }
    if (url.origin !== this.origin || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
      throw new MediaUrlRefusedError('the media URL is not on the Twilio API');
    }
    const path = url.pathname.startsWith(`${this.basePath}/`) ? url.pathname.slice(this.basePath.length) : '';
    const match = MEDIA_PATH.exec(path);
    if (match === null) throw new MediaUrlRefusedError('the URL is not a Twilio media URL');
    if (match[1] !== accountSid) throw new MediaUrlRefusedError("the media belongs to another Twilio account than the integration's");
    return url;
  }

  private async fetchFollowingRedirects(url: URL, authorization: string): Promise<{ response: Response; watchdog: Watchdog }> {
    const watchdog = new Watchdog(this.options.timeoutMs);
    const maxRedirects = this.options.maxRedirects ?? 3;
    let target = url;
    let headers: Record<string, string> = { Authorization: authorization };
    try {
      for (let hop = 0; ; hop += 1) {
        const response = await fetch(target, { headers, redirect: 'manual', signal: watchdog.signal });
        if (!REDIRECT_STATUSES.has(response.status)) return { response, watchdog };
        await discard(response);
        const next = hop < maxRedirects ? redirectTarget(response.headers.get('location'), target) : null;
        if (next === null) throw new TwilioGatewayError('permanent', undefined, response.status, `openMedia failed: HTTP ${response.status}: unusable or too many redirects`);
        // The CDN URL is signed by Twilio: the account's credentials stay with the first hop.
        target = next;
        headers = {};
      }
    } catch (error: unknown) {
      watchdog.stop();
      throw transportFailure(error, watchdog);
    }
  }
}

function redirectTarget(location: string | null, from: URL): URL | null {
  if (location === null) return null;
  try {
    const next = new URL(location, from);
    return next.protocol === 'https:' || next.protocol === 'http:' ? next : null;
  } catch {
    return null;
  }
}

/** Streams the body; a stall longer than the timeout aborts it, stopping early cancels it. */
async function* chunksOf(response: Response, watchdog: Watchdog): AsyncGenerator<Uint8Array> {
  try {
    if (response.body === null) return;
    watchdog.restart();
    for await (const chunk of response.body) {
      watchdog.restart();
      yield chunk;
    }
  } catch (error: unknown) {
    throw watchdog.expired
      ? new TwilioGatewayError('transient', undefined, undefined, 'openMedia: the media download stalled')
      : new TwilioGatewayError('transient', undefined, undefined, `openMedia: the media download broke off: ${messageOf(error)}`);
  } finally {
    watchdog.stop();
  }
}

async function failureOf(response: Response, secrets: readonly string[]): Promise<TwilioGatewayError> {
  const text = (await response.text().catch(() => '')).slice(0, ERROR_BODY_LIMIT);
  const body = parseJsonObject(text);
  const code = typeof body?.['code'] === 'number' ? body['code'] : undefined;
  const detail = typeof body?.['message'] === 'string' ? body['message'] : `HTTP ${response.status}`;
  const kind = classifyTwilioFailure(response.status, code);
  const message = redact(`openMedia failed: HTTP ${response.status}${code === undefined ? '' : `, Twilio error ${code}`}: ${detail}`, secrets);
  return new TwilioGatewayError(kind, code, response.status, message, retryAfterMs(response.headers));
}

function transportFailure(error: unknown, watchdog: Watchdog): TwilioGatewayError {
  if (error instanceof TwilioGatewayError) return error;
  if (watchdog.expired) return new TwilioGatewayError('transient', undefined, undefined, 'openMedia: Twilio did not answer in time');
  // undici puts the socket error (ECONNREFUSED, ...) in `cause`; the message is generic.
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return new TwilioGatewayError('transient', undefined, undefined, `openMedia: could not reach Twilio${typeof cause === 'string' ? ` (${cause})` : ''}`);
}

/** Aborts the request when no progress was made for `timeoutMs`. */
class Watchdog {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  expired = false;

  constructor(private readonly timeoutMs: number) {
    this.restart();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  restart(): void {
    this.stop();
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort();
    }, this.timeoutMs);
    // An abandoned download must not keep the process alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function contentLengthOf(raw: string | null): number | null {
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : null;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
