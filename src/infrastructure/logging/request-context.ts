import { randomUUID } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request whose work is running (HTTP handlers, and what they await). */
const requestContext = new AsyncLocalStorage<{ readonly requestId: string }>();

/** An incoming id is kept only when it looks like an id: short, no spaces or control characters. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** The id of the request being handled here, if any (for log lines written outside pino-http). */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

/**
 * Express middleware, first of all: takes the caller's (or the load balancer's) X-Request-Id
 * when it is a plausible id, else makes one; echoes it in the response and runs the rest of the
 * request in its context, so every log line written while serving it carries it.
 */
export function assignRequestId(req: IncomingMessage & { id?: unknown }, res: ServerResponse, next: () => void): void {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  requestContext.run({ requestId: id }, next);
}
