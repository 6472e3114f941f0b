import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConsoleConfig } from '../../../console/src/api';

/**
 * The console's first request: a service that is busy or restarting must not leave the page
 * without its config (and so without the demo sign-in) for good. Served by a real HTTP server;
 * the console's relative `config.json` is resolved against it.
 */
let server: Server;
let answers: number[];
let requests = 0;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  server = createServer((_req, res) => {
    const status = answers[Math.min(requests, answers.length - 1)]!;
    requests += 1;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(status === 200 ? JSON.stringify({ simulatorUrl: 'http://127.0.0.1:9/', demo: { adminToken: 'a', agentToken: 'b' } }) : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/console/`;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => realFetch(new URL(String(input), base), init)) as typeof fetch;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => (requests = 0));

describe('loadConsoleConfig', () => {
  it('asks again after a 503 and uses the answer that comes', async () => {
    answers = [503, 503, 200];
    await expect(loadConsoleConfig()).resolves.toEqual({ simulatorUrl: 'http://127.0.0.1:9', demo: { adminToken: 'a', agentToken: 'b' } });
    expect(requests).toBe(3);
  });

  it('takes a 4xx as "nothing configured" at once', async () => {
    answers = [404];
    await expect(loadConsoleConfig()).resolves.toEqual({ simulatorUrl: null, demo: null });
    expect(requests).toBe(1);
  });
});
