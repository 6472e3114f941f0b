import { createServer, request, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { drain } from '../../../src/infrastructure/bootstrap/graceful-shutdown';

const quiet = pino({ level: 'silent' });

async function listening(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function get(port: number, path: string): Promise<{ status: number | null; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? null, body }));
      res.on('error', (error) => resolve({ status: null, body, error: error.message }));
    });
    req.on('error', (error) => resolve({ status: null, body: '', error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end();
  });
}

describe('drain (graceful shutdown)', () => {
  it('answers the request under way, refuses new connections, then stops the workers, in that order', async () => {
    const order: string[] = [];
    let finishSlow: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
    const { server, port } = await listening((req, res) => {
      if (req.url !== '/slow') return void res.end('fast');
      finishSlow = () => res.end('done');
      arrived();
    });
    const slow = get(port, '/slow');
    await slowArrived;
    let stopping = false;
    const drained = drain({
      server,
      beginStopping: () => (stopping = true),
      closeStreams: () => order.push('streams closed'),
      workers: [{ start: () => undefined, stop: async () => void order.push('worker stopped') }],
      giveUp: () => order.push('gave up'),
      graceMs: 10_000,
      log: quiet,
    });
    expect(stopping).toBe(true);
    expect((await get(port, '/fast')).error).toBe('ECONNREFUSED');
    expect(order).toEqual(['streams closed']);
    order.push('slow answered');
    finishSlow();
    expect(await slow).toEqual({ status: 200, body: 'done' });
    const summary = await drained;
    expect(summary.timedOut).toBe(false);
    expect(order).toEqual(['streams closed', 'slow answered', 'worker stopped']);
  });

  it('at the grace deadline: cuts the requests still open, tells the background work to give up, and waits a moment for it', async () => {
    let arrived: () => void = () => undefined;
    const hangingArrived = new Promise<void>((resolve) => (arrived = resolve));
    const { server, port } = await listening(() => arrived()); // never answers
    const hanging = get(port, '/hangs');
    await hangingArrived;
    let release: () => void = () => undefined;
    const worker = { start: () => undefined, stop: () => new Promise<void>((resolve) => (release = resolve)) };
    const events: string[] = [];
    const summary = await drain({
      server,
      beginStopping: () => undefined,
      closeStreams: () => undefined,
      workers: [worker],
      giveUp: () => {
        events.push('gave up');
        release(); // the work stops after its current step
      },
      graceMs: 200,
      log: quiet,
    });
    expect(summary.timedOut).toBe(true);
    expect(events).toEqual(['gave up']);
    expect((await hanging).status).toBeNull();
  });
});
