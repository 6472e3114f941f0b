import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TwilioEmulator } from '../../../src/emulator/twilio-emulator';

/**
 * The simulator's HTTP contract as the console calls it (`POST <simulatorUrl>/inbound`, CORS
 * allowed), played by the test's own emulator: a properly signed inbound webhook to the service,
 * exactly as Twilio would send it. (The embedded default serves the same contract itself.)
 */
/** A 40×40 PNG (green with a white check pattern), served at `/sample.png` as a media URL for tests. */
export const SAMPLE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAACgAAAAoCAIAAAADnC86AAAARklEQVR42u3XsQkAIAwEwPQO5ybu3+kAdkI0woWUgfvqIdFGf7IBBoPT4bnN2Q0YXAfOjgIG34cVCFhXKxDwj7AXBgwuCi/XdV4KNhqXwwAAAABJRU5ErkJggg==',
  'base64',
);

export interface TestSimulator {
  readonly url: string;
  /** Every request body it accepted. */
  readonly received: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startTestSimulator(options: {
  emulator: TwilioEmulator;
  /** The service's public base URL (what it signs against); asked at each request. */
  serviceUrl: () => string;
  /** The number written to when the request names none. */
  defaultTo: () => string;
}): Promise<TestSimulator> {
  const received: Array<Record<string, unknown>> = [];
  const cors = (res: ServerResponse) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
  };
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    cors(res);
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'OPTIONS') {
      cors(res);
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'GET' && req.url === '/sample.png') {
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.end(SAMPLE_PNG);
      return;
    }
    if (req.method !== 'POST' || req.url !== '/inbound') return answer(res, 404, { error: { code: 'NOT_FOUND', message: 'POST /inbound' } });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        try {
          const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, string | undefined>;
          received.push(input);
          const to = input.to ?? options.defaultTo();
          const from = input.from ?? '+5511999990000';
          const media = input.mediaUrl ? [await fetchMedia(input.mediaUrl)] : [];
          const params = options.emulator.buildInboundParams({
            to,
            from,
            ...(input.body !== undefined ? { body: input.body } : {}),
            ...(input.profileName !== undefined ? { profileName: input.profileName } : {}),
            media,
          });
          const delivery = await options.emulator.sendInboundMessage(`${options.serviceUrl()}/ticket-messages/webhook`, params);
          answer(res, 200, { messageSid: params.MessageSid, to, from, webhookStatus: delivery.status ?? 0 });
        } catch (error) {
          answer(res, 400, { error: { code: 'SIMULATOR.FAILED', message: error instanceof Error ? error.message : String(error) } });
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function fetchMedia(url: string): Promise<{ contentType: string; bytes: Buffer }> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`media ${url}: HTTP ${response.status}`);
  return { contentType: response.headers.get('content-type') ?? 'application/octet-stream', bytes: Buffer.from(await response.arrayBuffer()) };
}
