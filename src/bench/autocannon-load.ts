import autocannon from 'autocannon';
import type { LoadOptions, LoadRun, RequestOutcome } from './load-runner';
import type { PreparedWebhook } from './webhook-client';

/** The failure of a request still in flight when the time budget stopped the run: not the receiver's fault. */
export const CUT_OFF_BY_BUDGET = 'cut off by the time budget';

/** What autocannon keeps per connection between building a request and its response. */
interface RequestContext {
  index?: number;
}

/**
 * Posts prepared webhooks with autocannon: `concurrency` keep-alive connections, each sending
 * its next webhook as soon as the previous one answered (closed loop, as `runAtConcurrency`),
 * each request built by `setupRequest` from the next prepared webhook (its own body and
 * X-Twilio-Signature). `amount` is the number of webhooks, so each is sent exactly once;
 * latencies are autocannon's own. Returns a `LoadRun` like `runAtConcurrency`.
 */
export async function postWebhooksWithAutocannon(url: string, webhooks: readonly PreparedWebhook[], concurrency: number, options: LoadOptions = {}): Promise<LoadRun> {
  if (webhooks.length === 0) return { outcomes: [], latenciesMs: [], elapsedMs: 0 };
  const target = new URL(url);
  const outcomes: Array<RequestOutcome | undefined> = new Array(webhooks.length);
  const latenciesMs: number[] = [];
  let next = 0;
  // Called without a callback, autocannon answers its tracker, which is also a promise of the result.
  const instance = autocannon({
    url: target.origin,
    connections: Math.min(concurrency, webhooks.length),
    pipelining: 1,
    amount: webhooks.length,
    // Twilio gives up on a webhook after 15 s.
    timeout: 15,
    requests: [
      {
        method: 'POST',
        path: target.pathname,
        setupRequest: (request, context: RequestContext) => {
          // `amount` builds exactly one request per webhook; a falsy answer would restart the list, so never give one.
          const index = Math.min(next, webhooks.length - 1);
          if (next < webhooks.length) {
            next += 1;
            context.index = index;
          }
          const webhook = webhooks[index]!;
          return {
            ...request,
            method: 'POST',
            path: target.pathname,
            headers: {
              'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
              'X-Twilio-Signature': webhook.signature,
              'User-Agent': 'TwilioProxy/1.1',
              Accept: '*/*',
            },
            body: webhook.body,
          };
        },
        onResponse: (status: number, _body: string, context: RequestContext) => {
          // Recorded before the connection builds its next request (and resets the context).
          if (context.index === undefined) return;
          outcomes[context.index] = status >= 200 && status < 300 ? { ok: true } : { ok: false, failure: `HTTP ${status}` };
        },
      },
    ],
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  // The tracker's 'response' carries the connection first (its typings list the client's arguments).
  instance.on('response', ((_client: unknown, _status: number, _bytes: number, responseTime: number) => latenciesMs.push(responseTime)) as never);
  // Past the budget autocannon stops its connections, dropping the requests in flight.
  let cutOff = false;
  const budget =
    options.budgetMs === undefined
      ? undefined
      : setTimeout(() => {
          cutOff = true;
          instance.stop();
        }, options.budgetMs);
  const startedAt = performance.now();
  try {
    await instance;
  } finally {
    if (budget) clearTimeout(budget);
  }
  const elapsedMs = performance.now() - startedAt;
  // Webhooks are taken in order: the first `next` were sent; one without an answer timed out or lost its connection.
  // (Array.from, not map: map would keep the holes of the unanswered ones.)
  const unanswered = cutOff ? CUT_OFF_BY_BUDGET : 'no response within 15 s';
  const sent = Array.from({ length: next }, (_, index): RequestOutcome => outcomes[index] ?? { ok: false, failure: unanswered });
  return { outcomes: sent, latenciesMs, elapsedMs };
}
