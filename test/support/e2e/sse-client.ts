import { request, IncomingMessage, ClientRequest } from 'node:http';

export interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  /** Parsed JSON of the data lines. */
  readonly data: unknown;
  readonly raw: string;
}

export interface SseConnection {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** Dispatched events, in arrival order. */
  readonly events: SseEvent[];
  /** Comment lines (heartbeats are `:`), without the colon. */
  readonly comments: string[];
  /** What EventSource would send as Last-Event-ID on reconnect (id-only blocks count). */
  lastEventId(): string | null;
  /** The response body when the server refused the stream (non-200). */
  body(): string;
  /** Everything received, for secret scans. */
  text(): string;
  /** Resolves when `count` events (optionally of one name) have arrived. */
  waitForEvents(count: number, name?: string, timeoutMs?: number): Promise<SseEvent[]>;
  waitForComments(count: number, timeoutMs?: number): Promise<void>;
  close(): void;
  /** Resolves when the server ended the stream. */
  ended(): Promise<void>;
}

export interface SseConnectOptions {
  readonly token?: string;
  /** `?access_token=` instead of the Authorization header. */
  readonly tokenInQuery?: boolean;
  readonly lastEventId?: string;
  readonly query?: Record<string, string>;
}

/**
 * A small EventSource over node:http for tests: parses `id:`/`event:`/`data:`/comment lines
 * as the WHATWG spec does (blank line dispatches; an id-only block sets the last event id).
 */
export async function connectSse(baseUrl: string, options: SseConnectOptions = {}): Promise<SseConnection> {
  const url = new URL('/events', baseUrl);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (options.token && options.tokenInQuery) url.searchParams.set('access_token', options.token);
  else if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.lastEventId !== undefined) headers['Last-Event-ID'] = options.lastEventId;

  const events: SseEvent[] = [];
  const comments: string[] = [];
  let text = '';
  let pending = '';
  let block: { id: string | null; event: string; data: string[]; hasId: boolean } = fresh();
  let lastId: string | null = options.lastEventId ?? null;
  const waiters = new Set<() => void>();
  let endedResolve: () => void = () => undefined;
  const endedPromise = new Promise<void>((resolve) => (endedResolve = resolve));

  function fresh() {
    return { id: null as string | null, event: 'message', data: [] as string[], hasId: false };
  }

  function line(l: string): void {
    if (l === '') {
      if (block.hasId) lastId = block.id;
      if (block.data.length > 0) {
        const data = block.data.join('\n');
        events.push({ id: lastId, event: block.event, data: safeJson(data), raw: data });
      }
      block = fresh();
      return;
    }
    if (l.startsWith(':')) {
      comments.push(l.slice(1));
      return;
    }
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    const value = colon === -1 ? '' : l.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') {
      block.id = value;
      block.hasId = true;
    } else if (field === 'event') block.event = value;
    else if (field === 'data') block.data.push(value);
  }

  const { req, res } = await new Promise<{ req: ClientRequest; res: IncomingMessage }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => resolve({ req, res }));
    req.on('error', reject);
    req.end();
  });
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    text += chunk;
    pending += chunk;
    const lines = pending.split(/\r\n|\r|\n/);
    pending = lines.pop() ?? '';
    for (const l of lines) line(l);
    for (const wake of [...waiters]) wake();
  });
  res.on('end', () => endedResolve());
  res.on('close', () => endedResolve());
  req.on('error', () => endedResolve());

  const waitFor = (done: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      if (done()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`SSE: ${what} not received within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.id, e.event]))}`));
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });

  const named = (name?: string) => (name ? events.filter((e) => e.event === name) : events);
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    events,
    comments,
    lastEventId: () => lastId,
    body: () => text,
    text: () => text,
    waitForEvents: async (count, name, timeoutMs = 10_000) => {
      await waitFor(() => named(name).length >= count, `${count} ${name ?? ''} event(s)`, timeoutMs);
      return named(name);
    },
    waitForComments: (count, timeoutMs = 10_000) => waitFor(() => comments.length >= count, `${count} comment(s)`, timeoutMs),
    close: () => {
      req.destroy();
      res.destroy();
    },
    ended: () => endedPromise,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
