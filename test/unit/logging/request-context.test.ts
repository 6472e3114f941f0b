import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/infrastructure/logging/logger';
import { assignRequestId } from '../../../src/infrastructure/logging/request-context';

function exchange(requestId?: string): { req: IncomingMessage & { id?: unknown }; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  if (requestId !== undefined) req.headers['x-request-id'] = requestId;
  return { req, res: new ServerResponse(req) };
}

function capturedLogger() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const log = createLogger({ format: 'json', destination: stream });
  return { log, lines: () => chunks.join('').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('request ids', () => {
  it('every line written while a request is served carries its id, even after awaits; lines outside carry none', async () => {
    const { log, lines } = capturedLogger();
    const { req, res } = exchange('edge-42');
    await new Promise<void>((done) =>
      assignRequestId(req, res, () => {
        log.info('handling');
        void Promise.resolve()
          .then(() => new Promise((resolve) => setTimeout(resolve, 5)))
          .then(() => {
            log.child({ part: 'worker' }).warn('later in the same request');
            done();
          });
      }),
    );
    log.info('background');
    expect(lines().map((line) => [line.msg, line.reqId])).toEqual([
      ['handling', 'edge-42'],
      ['later in the same request', 'edge-42'],
      ['background', undefined],
    ]);
    expect(res.getHeader('X-Request-Id')).toBe('edge-42');
    expect(req.id).toBe('edge-42');
  });

  it('replaces an id that is too long or has characters an id has not (log injection), and makes one when none is given', () => {
    for (const given of ['a'.repeat(129), 'two words', 'x\ny', undefined]) {
      const { req, res } = exchange(given);
      assignRequestId(req, res, () => undefined);
      expect(res.getHeader('X-Request-Id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(req.id).toBe(res.getHeader('X-Request-Id'));
    }
  });
});
