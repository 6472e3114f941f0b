import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Twilio REST error, answered as Twilio does: `{code, message, more_info, status}`. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }

  toJSON(): { code: number; message: string; more_info: string; status: number } {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
  }
}

export const authenticateError = (): TwilioApiError => new TwilioApiError(401, 20003, 'Authenticate');

export const notFoundError = (path: string): TwilioApiError =>
  new TwilioApiError(404, 20404, `The requested resource ${path} was not found`);

/** What a resource handler answers: JSON, raw bytes, or nothing (204). */
export type EmulatorResponse =
  | { readonly status: number; readonly json: unknown; readonly headers?: Record<string, string> }
  | { readonly status: number; readonly bytes: Buffer; readonly contentType: string }
  | { readonly status: 204 };

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined || !header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function writeResponse(res: ServerResponse, response: EmulatorResponse): void {
  if ('bytes' in response) {
    res.writeHead(response.status, { 'Content-Type': response.contentType, 'Content-Length': response.bytes.length });
    res.end(response.bytes);
    return;
  }
  if (!('json' in response)) {
    res.writeHead(204);
    res.end();
    return;
  }
  const body = JSON.stringify(response.json);
  res.writeHead(response.status, {
    ...response.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function errorResponse(error: TwilioApiError): EmulatorResponse {
  const headers: Record<string, string> = {};
  if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="Twilio API"';
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
  return { status: error.status, json: error.toJSON(), headers };
}

/** Paging of the 2010 API: `?Page=&PageSize=`, relative URIs, filters kept in every URI. */
export function page2010<T>(
  key: string,
  items: readonly T[],
  path: string,
  query: URLSearchParams,
  defaultPageSize = 50,
): Record<string, unknown> {
  const pageSize = clampInt(query.get('PageSize'), defaultPageSize, 1, 1000);
  const page = clampInt(query.get('Page'), 0, 0, Number.MAX_SAFE_INTEGER);
  const start = page * pageSize;
  const slice = items.slice(start, start + pageSize);
  const filters = new URLSearchParams(query);
  for (const name of ['Page', 'PageSize', 'PageToken']) filters.delete(name);
  const uriOf = (p: number): string => {
    const q = new URLSearchParams(filters);
    q.set('PageSize', String(pageSize));
    q.set('Page', String(p));
    if (p > 0) q.set('PageToken', `PA${p * pageSize}`);
    return `${path}?${q.toString()}`;
  };
  return {
    first_page_uri: uriOf(0),
    end: start + Math.max(slice.length - 1, 0),
    previous_page_uri: page > 0 ? uriOf(page - 1) : null,
    uri: uriOf(page),
    page_size: pageSize,
    start,
    next_page_uri: start + pageSize < items.length ? uriOf(page + 1) : null,
    page,
    [key]: slice,
  };
}

export function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || !/^\d+$/.test(raw)) return fallback;
  return Math.min(Math.max(Number(raw), min), max);
}
