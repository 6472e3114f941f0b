import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import {
  TwilioApiError,
  authenticateError,
  errorResponse,
  notFoundError,
  parseBasicAuth,
  readBody,
  writeResponse,
  type BasicCredentials,
  type EmulatorResponse,
} from './emulator-http';
import { isCdnRequest, serveCdn } from './emulator-cdn';
import { defaultCodeFor, defaultMessageFor, type FaultInjector } from './emulator-faults';
import { findRoute, type EmulatorContext, type Route } from './emulator-router';
import type { AccountRecord, EmulatorState } from './emulator-state';
import type { EmulatorTimers } from './emulator-timers';

/** One request: route → parse body → fault injection → basic auth → resource handler → log. */

export interface ServerDeps {
  readonly routes: readonly Route[];
  readonly state: EmulatorState;
  readonly faults: FaultInjector;
  readonly timers: EmulatorTimers;
  readonly context: () => EmulatorContext;
  /** Called after a request that changed something (not GET, answered below 400). */
  readonly onChange?: () => void;
  /** Where an emulator bug is reported (answered 500 like Twilio); stderr by default. */
  readonly reportError?: (error: unknown) => void;
}

export function requestListener(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, deps).catch((error: unknown) => {
      if (!res.headersSent) writeResponse(res, internalError(error, deps.reportError));
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const receivedAt = Date.now();
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readBody(req);
  if (isCdnRequest(url.pathname)) return serveCdn(req, res, url.pathname, deps.state);
  const found = findRoute(deps.routes, method, url.pathname);
  const credentials = parseBasicAuth(req.headers.authorization);
  const accountSid = found?.route.accountParam !== undefined ? found.params[found.route.accountParam] : credentials?.username;
  let response: EmulatorResponse;
  try {
    if (found === undefined) throw notFoundError(url.pathname);
    const isJson = (req.headers['content-type'] ?? '').includes('application/json');
    const json = isJson ? parseJson(raw) : undefined;
    const form = isJson ? new URLSearchParams() : new URLSearchParams(raw);
    const fault = deps.faults.take({
      endpoint: found.route.endpoint,
      accountSid,
      phoneNumbers: numbersOf(form, json, found.params, deps.state),
      body: form.get('Body') ?? undefined,
    });
    if (fault?.delayMs !== undefined) await deps.timers.sleep(fault.delayMs);
    if (fault?.status !== undefined) {
      const code = fault.code ?? defaultCodeFor(fault.status);
      throw new TwilioApiError(fault.status, code, fault.message ?? defaultMessageFor(code), fault.retryAfterSeconds);
    }
    const { caller, account } = authenticate(deps.state, credentials, found.route, found.params, url.pathname);
    response = await found.route.handle(
      { method, path: url.pathname, params: found.params, query: url.searchParams, form, json, caller, account, fault, receivedAt },
      deps.context(),
    );
  } catch (error: unknown) {
    response = error instanceof TwilioApiError ? errorResponse(error) : internalError(error, deps.reportError);
  }
  deps.state.requests.push({
    method,
    path: url.pathname,
    endpoint: found?.route.endpoint ?? 'unknown',
    accountSid,
    status: response.status,
    at: receivedAt,
  });
  if (method !== 'GET' && response.status < 400) deps.onChange?.();
  // The client may have given up (timeout fault); nothing to answer then.
  if (res.destroyed || res.writableEnded) return;
  writeResponse(res, response);
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new TwilioApiError(400, 20001, 'The request body is not valid JSON');
  }
}

function internalError(error: unknown, report?: (error: unknown) => void): EmulatorResponse {
  if (report) report(error);
  else process.stderr.write(`[twilio-emulator] internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  return errorResponse(new TwilioApiError(500, 20500, 'An internal server error has occurred'));
}

/** E.164 numbers a request is about, for `FaultSpec.phoneNumber`. */
function numbersOf(form: URLSearchParams, json: unknown, params: Readonly<Record<string, string>>, state: EmulatorState): string[] {
  const values = [form.get('To'), form.get('From'), form.get('PhoneNumber')];
  if (typeof json === 'object' && json !== null) {
    const senderId = (json as Record<string, unknown>)['sender_id'];
    if (typeof senderId === 'string') values.push(senderId);
  }
  const pathNumber = params['Sid'] !== undefined ? state.numbers.get(params['Sid'])?.phoneNumber : undefined;
  if (pathNumber !== undefined) values.push(pathNumber);
  return values.filter((v): v is string => v !== null).map((v) => v.replace(/^whatsapp:/, ''));
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Twilio accepts the primary auth token and, while one exists, the secondary. */
function acceptsToken(account: AccountRecord, given: string): boolean {
  const secondary = account.secondaryAuthToken?.token;
  return sameSecret(account.authToken, given) || (secondary !== undefined && sameSecret(secondary, given));
}

/** Credentials of the path's account, or of its master (Twilio allows both). */
function authenticate(
  state: EmulatorState,
  credentials: BasicCredentials | undefined,
  route: Route,
  params: Readonly<Record<string, string>>,
  path: string,
): { caller: AccountRecord; account: AccountRecord } {
  if (credentials === undefined) throw authenticateError();
  const caller = state.accounts.get(credentials.username);
  if (caller === undefined || caller.status !== 'active' || !acceptsToken(caller, credentials.password)) {
    throw authenticateError();
  }
  if (route.accountParam === undefined) return { caller, account: caller };
  const account = state.accounts.get(params[route.accountParam] ?? '');
  if (account === undefined) {
    if (caller.ownerSid === caller.sid) throw notFoundError(path);
    throw authenticateError();
  }
  if (account.sid !== caller.sid && account.ownerSid !== caller.sid) throw authenticateError();
  if (account.status !== 'active' && route.allowClosedAccount !== true) {
    throw new TwilioApiError(401, 20005, 'Account not active');
  }
  return { caller, account };
}
