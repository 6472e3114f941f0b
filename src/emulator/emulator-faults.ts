/** Fault injection: make chosen requests fail, slow down, or fail delivery later. */

export type EmulatorEndpoint =
  | 'accounts.create'
  | 'accounts.list'
  | 'accounts.fetch'
  | 'accounts.update'
  | 'balance.fetch'
  | 'available-numbers.list'
  | 'numbers.create'
  | 'numbers.list'
  | 'numbers.fetch'
  | 'numbers.update'
  | 'numbers.delete'
  | 'messages.create'
  | 'messages.list'
  | 'messages.fetch'
  | 'media.fetch'
  | 'senders.create'
  | 'senders.list'
  | 'senders.fetch'
  | 'senders.update'
  | 'senders.delete'
  | 'content.create'
  | 'content.list'
  | 'content.fetch'
  | 'content.delete'
  | 'content.approval.fetch'
  | 'content.approval.create'
  | 'content-and-approvals.list';

export interface FaultSpec {
  /** Matches the account of the path (2010 API) or of the credentials (v2 API). */
  readonly accountSid?: string;
  /** Matches an E.164 number in `To`, `From`, `PhoneNumber`, `sender_id`, or the number in the path. */
  readonly phoneNumber?: string;
  readonly endpoint?: EmulatorEndpoint | readonly EmulatorEndpoint[];
  /** Matches a substring of the message `Body`. */
  readonly bodyContains?: string;
  /** HTTP status to answer; omit it for a delay-only fault (the request then succeeds, late). */
  readonly status?: number;
  /** Twilio error code; defaults by status (401→20003, 404→20404, 429→20429, 5xx→20500). */
  readonly code?: number;
  readonly message?: string;
  /** Sends `Retry-After: <seconds>`. */
  readonly retryAfterSeconds?: number;
  /** Waits this long before answering; longer than the client's timeout = a timeout. */
  readonly delayMs?: number;
  /** `messages.create` only: accept the send (201), then fail its delivery with this error code (e.g. 63016). */
  readonly asyncErrorCode?: number;
  /** Stop after this many matches; unlimited when omitted. */
  readonly times?: number;
}

export interface FaultHandle {
  /** How many requests this fault has hit so far. */
  readonly hits: number;
  remove(): void;
}

export interface FaultContext {
  readonly endpoint: EmulatorEndpoint;
  readonly accountSid: string | undefined;
  readonly phoneNumbers: readonly string[];
  readonly body: string | undefined;
}

interface ActiveFault {
  readonly spec: FaultSpec;
  hits: number;
}

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  20003: 'Authenticate',
  20404: 'The requested resource was not found',
  20429: 'Too Many Requests',
  20500: 'An internal server error has occurred',
  20503: 'Service unavailable',
  21211: "Invalid 'To' Phone Number",
  21610: 'Attempt to send to unsubscribed recipient',
  63016: 'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
  63018: 'Rate limit exceeded for Channel',
};

export function defaultCodeFor(status: number): number {
  if (status === 401) return 20003;
  if (status === 404) return 20404;
  if (status === 429) return 20429;
  if (status === 503) return 20503;
  if (status >= 500) return 20500;
  return 21000 + (status % 100);
}

export function defaultMessageFor(code: number): string {
  return DEFAULT_MESSAGES[code] ?? `Emulated Twilio error ${code}`;
}

export class FaultInjector {
  private readonly faults: ActiveFault[] = [];

  inject(spec: FaultSpec): FaultHandle {
    const fault: ActiveFault = { spec, hits: 0 };
    this.faults.push(fault);
    const faults = this.faults;
    return {
      get hits() {
        return fault.hits;
      },
      remove() {
        const index = faults.indexOf(fault);
        if (index >= 0) faults.splice(index, 1);
      },
    };
  }

  clear(): void {
    this.faults.length = 0;
  }

  get size(): number {
    return this.faults.length;
  }

  /** The first fault matching this request, with one of its `times` used up. */
  take(context: FaultContext): FaultSpec | undefined {
    const fault = this.faults.find((f) => matches(f.spec, context));
    if (fault === undefined) return undefined;
    fault.hits += 1;
    if (fault.spec.times !== undefined && fault.hits >= fault.spec.times) {
      this.faults.splice(this.faults.indexOf(fault), 1);
    }
    return fault.spec;
  }
}

function matches(spec: FaultSpec, context: FaultContext): boolean {
  if (spec.accountSid !== undefined && spec.accountSid !== context.accountSid) return false;
  if (spec.phoneNumber !== undefined && !context.phoneNumbers.includes(spec.phoneNumber)) return false;
  if (spec.bodyContains !== undefined && !(context.body ?? '').includes(spec.bodyContains)) return false;
  if (spec.endpoint !== undefined) {
    const endpoints: readonly EmulatorEndpoint[] = typeof spec.endpoint === 'string' ? [spec.endpoint] : spec.endpoint;
    if (!endpoints.includes(context.endpoint)) return false;
  }
  // A pure async-failure fault only concerns sends.
  if (spec.asyncErrorCode !== undefined && context.endpoint !== 'messages.create') return false;
  return true;
}
