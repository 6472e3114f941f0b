import type { EmulatorResponse } from './emulator-http';
import type { EmulatorEndpoint, FaultSpec } from './emulator-faults';
import type { AccountRecord, EmulatorState } from './emulator-state';
import type { MessageLifecycle } from './emulator-message-lifecycle';

/** A request that passed routing, fault injection and authentication. */
export interface RouteRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Form-encoded body (2010 API); empty for JSON bodies. */
  readonly form: URLSearchParams;
  /** Parsed JSON body (v2 API); undefined for form bodies. */
  readonly json: unknown;
  /** The account whose credentials were presented. */
  readonly caller: AccountRecord;
  /** The account in the path (2010 API); the caller where the path has none. */
  readonly account: AccountRecord;
  /** A matched fault that did not answer the request itself (e.g. `asyncErrorCode`). */
  readonly fault: FaultSpec | undefined;
  /** `Date.now()` at arrival, before any injected delay. */
  readonly receivedAt: number;
}

export interface EmulatorContext {
  readonly state: EmulatorState;
  /** The emulator's own base URL, e.g. http://127.0.0.1:4010. */
  readonly baseUrl: string;
  readonly lifecycle: MessageLifecycle;
  /** Require an ONLINE WhatsApp sender of the account for `From` (error 63007 otherwise). */
  readonly strictSenders: boolean;
  /** A body containing this marker fails once per (account, recipient, body) with 30008; null: off. */
  readonly failMarker: string | null;
}

export type RouteHandler = (req: RouteRequest, ctx: EmulatorContext) => EmulatorResponse | Promise<EmulatorResponse>;

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly pattern: RegExp;
  readonly endpoint: EmulatorEndpoint;
  /** Path parameter holding the account SID the credentials must cover; none = any valid account. */
  readonly accountParam?: string;
  /** Whether the path account may be closed (fetching/closing it again is fine, its subresources are not). */
  readonly allowClosedAccount?: boolean;
  readonly handle: RouteHandler;
}

/** `route('GET', '/2010-04-01/Accounts/:AccountSid.json', ...)`: `:Name` matches one segment without dots. */
export function route(
  method: Route['method'],
  template: string,
  endpoint: EmulatorEndpoint,
  handle: RouteHandler,
  options: { accountParam?: string; allowClosedAccount?: boolean } = {},
): Route {
  const source = template
    .split(/(:[A-Za-z]+)/)
    .map((part) => (part.startsWith(':') ? `(?<${part.slice(1)}>[^/.]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return { method, pattern: new RegExp(`^${source}$`), endpoint, handle, ...options };
}

export function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match !== null) {
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(match.groups ?? {})) params[name] = decodeURIComponent(value);
      return { route: candidate, params };
    }
  }
  return undefined;
}
