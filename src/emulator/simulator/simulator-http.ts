import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../emulator-http';
import { isE164 } from '../emulator-ids';
import type { EmulatorState, NumberRecord } from '../emulator-state';
import type { WebhookDelivery } from '../emulator-webhooks';

/**
 * The simulator's HTTP side, under `/_simulator/` on the emulator's own port (no Twilio path
 * starts with an underscore). It plays a WhatsApp customer: Twilio then posts the signed
 * webhook to the number's configured SmsUrl, exactly as for a real message. Used by
 * `npm run simulate` and by the agent console (CORS for loopback origins and the service's own).
 *
 *   POST /_simulator/inbound   {to?, from?, body?, mediaUrl?, profileName?}
 *        → 200 {messageSid, to, from, webhookStatus, webhookAttempts, webhookError?}
 *   GET  /_simulator/numbers   → 200 {numbers: [{phoneNumber, accountSid, webhookUrl}], defaultTo}
 *   POST /_simulator/accounts  {friendlyName?, whatsappNumber?}
 *        → 201 {accountSid, authToken, whatsappNumber} (an emulated account of its own, e.g. for an `existing` integration)
 * Errors: `{error: {code, message}}` with 400 (bad input), 404 (unknown route), 409 (no number to write to).
 */

export const SIMULATOR_PATH = '/_simulator';
export const DEFAULT_CUSTOMER_NUMBER = '+5511999990000';
const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

export interface SimulatedInbound {
  readonly to: string;
  readonly from: string;
  readonly body?: string;
  readonly profileName?: string;
  readonly media?: ReadonlyArray<{ readonly contentType: string; readonly bytes: Buffer }>;
}

export interface SimulatorDeps {
  readonly state: EmulatorState;
  deliver(input: SimulatedInbound): Promise<{ params: Readonly<Record<string, string>>; attempts: readonly WebhookDelivery[] }>;
  /** The number used when a request names none (the demo's); else the most recently configured one. */
  readonly defaultTo?: () => string | undefined;
  /** Whether a browser page of this origin may call the simulator; default: loopback origins only. */
  readonly allowOrigin?: (origin: string) => boolean;
  /** Saves the state after a change (the embedded default keeps accounts across restarts). */
  readonly persist?: () => void;
}

class SimulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function isSimulatorRequest(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0]!;
  return path === SIMULATOR_PATH || path.startsWith(`${SIMULATOR_PATH}/`);
}

/** Loopback origins (a console on localhost, whatever its port). */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const { protocol, hostname } = new URL(origin);
    return (protocol === 'http:' || protocol === 'https:') && (hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]');
  } catch {
    return false;
  }
}

export async function handleSimulatorRequest(req: IncomingMessage, res: ServerResponse, deps: SimulatorDeps): Promise<void> {
  const origin = req.headers.origin;
  const headers: Record<string, string> = { Vary: 'Origin' };
  if (origin !== undefined && (deps.allowOrigin ?? isLoopbackOrigin)(origin)) {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Access-Control-Allow-Methods'] = 'GET, POST, OPTIONS';
    headers['Access-Control-Allow-Headers'] = 'Content-Type';
    headers['Access-Control-Max-Age'] = '600';
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const path = new URL(req.url ?? '/', 'http://emulator').pathname.replace(/\/+$/, '');
  try {
    if (method === 'OPTIONS') return send(res, 204, headers);
    const raw = await readBody(req);
    if (method === 'POST' && path === `${SIMULATOR_PATH}/inbound`) return send(res, 200, headers, await inbound(parseJson(raw), deps));
    if (method === 'POST' && path === `${SIMULATOR_PATH}/accounts`) return send(res, 201, headers, createAccount(parseJson(raw), deps));
    if (method === 'GET' && path === `${SIMULATOR_PATH}/numbers`) return send(res, 200, headers, listNumbers(deps));
    throw new SimulatorError(404, 'SIMULATOR.NOT_FOUND', `no simulator route ${method} ${path}`);
  } catch (error) {
    const failure = error instanceof SimulatorError ? error : new SimulatorError(500, 'SIMULATOR.INTERNAL', error instanceof Error ? error.message : String(error));
    send(res, failure.status, headers, { error: { code: failure.code, message: failure.message } });
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, json?: unknown): void {
  if (res.writableEnded) return;
  if (json === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const body = JSON.stringify(json);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function parseJson(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new SimulatorError(400, 'SIMULATOR.INVALID_INPUT', 'the body must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SimulatorError(400, 'SIMULATOR.INVALID_INPUT', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

function optionalString(input: Record<string, unknown>, name: string, max = 1600): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new SimulatorError(400, 'SIMULATOR.INVALID_INPUT', `${name} must be a string of at most ${max} characters`);
  return value;
}

function phone(input: Record<string, unknown>, name: string): string | undefined {
  const value = optionalString(input, name, 40)?.trim().replace(/^whatsapp:/, '');
  if (value === undefined || value === '') return undefined;
  if (!isE164(value)) throw new SimulatorError(400, 'SIMULATOR.INVALID_INPUT', `${name} must be an E.164 number such as ${DEFAULT_CUSTOMER_NUMBER}`);
  return value;
}

function webhookNumbers(state: EmulatorState): NumberRecord[] {
  return [...state.numbers.values()]
    .filter((n) => n.smsUrl !== null && state.accounts.get(n.accountSid)?.status === 'active')
    .sort((a, b) => b.dateUpdated.getTime() - a.dateUpdated.getTime());
}

function defaultTo(deps: SimulatorDeps): string | undefined {
  const configured = webhookNumbers(deps.state).map((n) => n.phoneNumber);
  const preferred = deps.defaultTo?.();
  return preferred !== undefined && configured.includes(preferred) ? preferred : configured[0];
}

async function inbound(input: Record<string, unknown>, deps: SimulatorDeps): Promise<Record<string, unknown>> {
  const from = phone(input, 'from') ?? DEFAULT_CUSTOMER_NUMBER;
  const body = optionalString(input, 'body');
  const profileName = optionalString(input, 'profileName', 256);
  const mediaUrl = optionalString(input, 'mediaUrl', 2048);
  const to = phone(input, 'to') ?? defaultTo(deps);
  if (to === undefined) throw new SimulatorError(409, 'SIMULATOR.NO_NUMBER', 'no number of the emulator has a webhook (SmsUrl) configured: create an integration first, or point its number here with POST /integrations/:id/webhook/sync');
  const number = deps.state.numberByPhone(to);
  if (number === undefined || number.smsUrl === null) {
    throw new SimulatorError(409, 'SIMULATOR.NO_NUMBER', `${to} is not a number of the emulator with a webhook configured (POST /integrations/:id/webhook/sync points an integration's number here); known: ${webhookNumbers(deps.state).map((n) => n.phoneNumber).join(', ') || 'none'}`);
  }
  if (body === undefined && mediaUrl === undefined) throw new SimulatorError(400, 'SIMULATOR.INVALID_INPUT', 'give a body, a mediaUrl, or both');
  const media = mediaUrl === undefined ? [] : [await fetchMedia(mediaUrl)];
  const { params, attempts } = await deps.deliver({
    to,
    from,
    ...(body === undefined ? {} : { body }),
    ...(profileName === undefined ? {} : { profileName }),
    media,
  });
  const last = attempts[attempts.length - 1];
  return {
    messageSid: params['MessageSid'],
    to,
    from,
    webhookStatus: last?.status ?? null,
    webhookAttempts: attempts.length,
    ...(last?.error === undefined ? {} : { webhookError: last.error }),
  };
}

/** Twilio stores what the customer sent and serves it from its own media URL: so does the emulator. */
async function fetchMedia(url: string): Promise<{ contentType: string; bytes: Buffer }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SimulatorError(400, 'SIMULATOR.INVALID_INPUT', 'mediaUrl must be an http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new SimulatorError(400, 'SIMULATOR.INVALID_INPUT', 'mediaUrl must be an http(s) URL');
  let response: Response;
  try {
    response = await fetch(parsed, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new SimulatorError(400, 'SIMULATOR.MEDIA_UNREACHABLE', `mediaUrl could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new SimulatorError(400, 'SIMULATOR.MEDIA_UNREACHABLE', `mediaUrl answered HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > MAX_MEDIA_BYTES) throw new SimulatorError(400, 'SIMULATOR.MEDIA_TOO_LARGE', 'media over 5 MB (WhatsApp allows 5 MB for images)');
  const contentType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim();
  return { contentType, bytes };
}

function listNumbers(deps: SimulatorDeps): Record<string, unknown> {
  return {
    numbers: webhookNumbers(deps.state).map((n) => ({ phoneNumber: n.phoneNumber, accountSid: n.accountSid, webhookUrl: n.smsUrl })),
    defaultTo: defaultTo(deps) ?? null,
  };
}

function createAccount(input: Record<string, unknown>, deps: SimulatorDeps): Record<string, unknown> {
  const friendlyName = optionalString(input, 'friendlyName', 64) ?? 'Emulated customer account';
  const requested = phone(input, 'whatsappNumber');
  if (requested !== undefined && deps.state.numberByPhone(requested) !== undefined) {
    throw new SimulatorError(409, 'SIMULATOR.NUMBER_TAKEN', `${requested} already belongs to an emulated account`);
  }
  const whatsappNumber = requested ?? deps.state.availableNumbers('US', undefined, 1)[0]?.phoneNumber;
  if (whatsappNumber === undefined) throw new SimulatorError(409, 'SIMULATOR.NO_NUMBER', 'no number left to give');
  const account = deps.state.createAccount(friendlyName, null);
  deps.state.ownNumber(account.sid, whatsappNumber);
  deps.persist?.();
  return { accountSid: account.sid, authToken: account.authToken, whatsappNumber };
}
