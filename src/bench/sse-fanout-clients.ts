import { request, type ClientRequest } from 'node:http';
import { createParser } from 'eventsource-parser';

/**
 * The SSE fan-out bench's listeners, run as a child process of the bench (forked with IPC) so
 * that their sockets, parsers and CPU are not counted as the service's memory and time. Each
 * listener timestamps `message.created` events on the monotonic clock, which the parent's
 * clock shares (CLOCK_MONOTONIC is system-wide), so the parent can subtract its own times.
 */

export type ToClients =
  | { readonly kind: 'open'; readonly url: string; readonly tokens: readonly (string | null)[]; readonly concurrency: number }
  | { readonly kind: 'report' }
  | { readonly kind: 'close' };

export type FromClients =
  | { readonly kind: 'opened'; readonly open: number; readonly failures: readonly string[] }
  /** Sent once a `message.created` (by its twilioSid) has reached every open listener. */
  | { readonly kind: 'arrived'; readonly sid: string }
  | {
      readonly kind: 'report';
      /** Per twilioSid, the arrival time (ms on the monotonic clock) at each listener that got it. */
      readonly arrivals: Readonly<Record<string, readonly number[]>>;
      /** Per twilioSid, the text of the first listener's read that held its message.created: the bytes the server wrote at once. */
      readonly blocks: Readonly<Record<string, string>>;
    };

export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

const SID_IN_DATA = /"twilioSid":"([^"]+)"/;

interface Listener {
  readonly req: ClientRequest;
}

const listeners: Listener[] = [];
/** Listeners whose stream answered 200: the ones an event must reach. */
let streaming = 0;
const arrivals = new Map<string, number[]>();
const blocks = new Map<string, string>();

function send(message: FromClients): void {
  process.send?.(message);
}

function listen(url: string, token: string | null, first: boolean): Promise<string | null> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    // One socket per listener, as 1,000 browsers would have.
    const req = request(url, { agent: false, headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(`HTTP ${res.statusCode}`);
        return;
      }
      streaming += 1;
      let arrivedAt = 0;
      let chunkText = '';
      const parser = createParser({
        onEvent: (event) => {
          if (event.event !== 'message.created') return;
          const sid = SID_IN_DATA.exec(event.data)?.[1];
          if (sid === undefined) return;
          if (first) blocks.set(sid, chunkText);
          const times = arrivals.get(sid) ?? [];
          times.push(arrivedAt);
          arrivals.set(sid, times);
          if (times.length === streaming) send({ kind: 'arrived', sid });
        },
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // Stamped when the bytes are handed over, before parsing.
        arrivedAt = monotonicMs();
        chunkText = chunk;
        parser.feed(chunk);
      });
      res.on('error', () => undefined);
      resolve(null);
    });
    req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
    req.end();
    listeners.push({ req });
  });
}

async function open(url: string, tokens: readonly (string | null)[], concurrency: number): Promise<void> {
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tokens.length) {
      const index = next;
      next += 1;
      const failure = await listen(url, tokens[index] ?? null, index === 0);
      if (failure !== null) failures.push(failure);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tokens.length) }, worker));
  send({ kind: 'opened', open: tokens.length - failures.length, failures: failures.slice(0, 5) });
}

process.on('message', (message: ToClients) => {
  if (message.kind === 'open') {
    void open(message.url, message.tokens, message.concurrency);
  } else if (message.kind === 'report') {
    send({ kind: 'report', arrivals: Object.fromEntries(arrivals), blocks: Object.fromEntries(blocks) });
    arrivals.clear();
    blocks.clear();
  } else {
    for (const listener of listeners) listener.req.destroy();
    process.disconnect?.();
    process.exit(0);
  }
});
