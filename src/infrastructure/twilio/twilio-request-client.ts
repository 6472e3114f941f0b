import { Agent as HttpAgent } from 'node:http';
import RequestClient from 'twilio/lib/base/RequestClient';
import RestException from 'twilio/lib/base/RestException';
import type Response from 'twilio/lib/http/response';

/**
 * The SDK's HTTP client with three changes, all through the SDK's own `httpClient` option:
 * 1. every `https://*.twilio.com` URI is sent to `apiUrl` instead (same path and query), so the
 *    SDK can talk to the emulator or a proxy (TWILIO_API_URL);
 * 2. a request timeout (the SDK's default is 30 s);
 * 3. any HTTP status >= 400 is thrown here as `TwilioHttpException`, which keeps `Retry-After`
 *    (the SDK's own RestException drops headers) and also covers follow-up pages, which the SDK
 *    does not status-check. Transport failures become `TwilioTransportError`, a plain error
 *    that carries no request config (axios errors hold the Authorization header).
 */

export interface TwilioRequestClientOptions {
  readonly apiUrl?: string;
  readonly timeoutMs: number;
}

/** A Twilio HTTP error response; a RestException, plus what Twilio asked us to wait. */
export class TwilioHttpException extends RestException {
  constructor(
    response: { statusCode: number; body: unknown },
    readonly retryAfterMs: number | undefined,
  ) {
    super(response);
    this.name = 'TwilioHttpException';
    // RFC 9457 bodies (some newer APIs) carry `title`/`detail` instead of `message`.
    const body = asRecord(typeof response.body === 'string' ? tryParse(response.body) : response.body);
    if (body !== undefined && this.message === undefined) {
      const detail = body['detail'] ?? body['title'];
      if (typeof detail === 'string') this.message = detail;
    }
    if (body !== undefined && this.code === undefined && typeof body['code'] === 'number') this.code = body['code'];
    if (typeof this.message !== 'string' || this.message === '') this.message = `HTTP ${response.statusCode}`;
  }
}

export class TwilioTransportError extends Error {
  constructor(
    readonly reason: 'timeout' | 'network',
    /** The socket/axios error code, e.g. ECONNREFUSED, ECONNABORTED. */
    readonly errorCode: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioTransportError';
  }
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

export class TwilioRequestClient extends RequestClient {
  private readonly apiBase: string | undefined;

  constructor(options: TwilioRequestClientOptions) {
    super({ timeout: options.timeoutMs, keepAlive: true });
    this.apiBase = options.apiUrl?.replace(/\/+$/, '');
    // The SDK only configures an https agent; keep-alive for a plain-http apiUrl (emulator) too.
    this.axios.defaults.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 20 });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const uri = this.rewrite(opts.uri);
    let response: Response<TData>;
    try {
      response = await super.request({ ...opts, uri });
    } catch (error: unknown) {
      throw toTransportError(error);
    }
    if (response.statusCode >= 400) {
      throw new TwilioHttpException(response, retryAfterMs(response.headers));
    }
    return response;
  }

  /** `https://api.twilio.com/2010-04-01/...` → `${apiUrl}/2010-04-01/...`; other hosts untouched. */
  rewrite(uri: string): string {
    if (this.apiBase === undefined) return uri;
    const url = new URL(uri);
    if (url.hostname !== 'twilio.com' && !url.hostname.endsWith('.twilio.com')) return uri;
    return `${this.apiBase}${url.pathname}${url.search}`;
  }
}

function toTransportError(error: unknown): TwilioTransportError {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new TwilioTransportError('timeout', code, 'Twilio did not answer in time');
  }
  // Only the message: the axios error itself holds the request config and its Authorization header.
  const message = error instanceof Error ? error.message : String(error);
  return new TwilioTransportError('network', code, `Could not reach Twilio: ${message}`);
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(headers: unknown): number | undefined {
  const raw = readHeader(headers, 'retry-after');
  if (raw === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function readHeader(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const getter = (headers as { get?: unknown }).get;
  const value = typeof getter === 'function' ? (getter as (n: string) => unknown).call(headers, name) : (headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function tryParse(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}
