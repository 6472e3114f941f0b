import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  MediaUrlRefusedError,
  TwilioGatewayError,
  type MediaContent,
  type TwilioCredentials,
} from '../../../src/application/ports/twilio-gateway.port';
import { startTwilioEmulator, type TwilioEmulator } from '../../../src/emulator';
import { TwilioSdkGateway } from '../../../src/infrastructure/twilio/twilio-sdk.gateway';

/** TwilioSdkGateway.openMedia against the emulator (Twilio's media → CDN redirect) and hand-made servers. */

const RETRY_DELAYS_MS = [20, 40, 60];
const TIMEOUT_MS = 400;

let emulator: TwilioEmulator;
let gateway: TwilioSdkGateway;
let account: TwilioCredentials;
let number = 0;

beforeAll(async () => {
  emulator = await startTwilioEmulator();
  gateway = new TwilioSdkGateway({ apiUrl: emulator.url, timeoutMs: TIMEOUT_MS, mediaNotReadyRetryDelaysMs: RETRY_DELAYS_MS });
  const record = emulator.state.createAccount('media customer', null);
  account = { accountSid: record.sid, authToken: record.authToken };
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

/** An inbound message with media to `account`'s number; returns its media URLs. */
function inboundMedia(items: ReadonlyArray<{ contentType: string; bytes: Buffer }>, owner: TwilioCredentials = account): string[] {
  number += 1;
  const to = `+1415555${String(7000 + number).padStart(4, '0')}`;
  emulator.state.ownNumber(owner.accountSid, to);
  const params = emulator.buildInboundParams({ to, from: '+5511988887777', media: items });
  return items.map((_, index) => params[`MediaUrl${index}`]!);
}

async function readAll(content: MediaContent): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content.body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function failure(promise: Promise<unknown>): Promise<TwilioGatewayError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof TwilioGatewayError) return error;
    throw error;
  }
  throw new Error('expected a TwilioGatewayError');
}

interface RecordingServer {
  readonly url: string;
  readonly requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

async function recordingServer(handler: RequestListener): Promise<RecordingServer> {
  const requests: RecordingServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const MEDIA_PATH = (sid: string) => `/2010-04-01/Accounts/${sid}/Messages/MM${'a'.repeat(32)}/Media/ME${'b'.repeat(32)}`;

describe('TwilioSdkGateway.openMedia', () => {
  it('streams the bytes and content type through the CDN redirect, which gets no credentials', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 70_000 }, (_, i) => i % 251)]);
    const [url] = inboundMedia([{ contentType: 'image/png', bytes }]);
    const cdnBefore = emulator.state.cdnRequests.length;

    const content = await gateway.openMedia(account, url!);

    expect(content.contentType).toBe('image/png');
    expect(content.contentLength).toBe(bytes.length);
    expect((await readAll(content)).equals(bytes)).toBe(true);
    const cdn = emulator.state.cdnRequests.slice(cdnBefore);
    expect(cdn).toHaveLength(1);
    expect(cdn[0]).toMatchObject({ status: 200, authorization: false });
  });

  it('the emulated media URL itself redirects (307) only when authenticated', async () => {
    const [url] = inboundMedia([{ contentType: 'audio/ogg', bytes: Buffer.from('ogg') }]);
    expect((await fetch(url!, { redirect: 'manual' })).status).toBe(401);
    const auth = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;
    const redirect = await fetch(url!, { redirect: 'manual', headers: { Authorization: auth } });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toMatch(new RegExp(`^${emulator.url}/cdn/media/[A-Za-z0-9_-]+$`));
    // The CDN link needs no credentials; an unknown link is a 404.
    expect(Buffer.from(await (await fetch(redirect.headers.get('location')!)).arrayBuffer()).toString()).toBe('ogg');
    expect((await fetch(`${emulator.url}/cdn/media/unknown`)).status).toBe(404);
  });

  it('retries a 404 (media not stored yet) and then streams', async () => {
    const [url] = inboundMedia([{ contentType: 'image/jpeg', bytes: Buffer.from('late jpeg') }]);
    const fault = emulator.faults.inject({ endpoint: 'media.fetch', accountSid: account.accountSid, status: 404, times: 2 });

    const content = await gateway.openMedia(account, url!);

    expect((await readAll(content)).toString()).toBe('late jpeg');
    expect(fault.hits).toBe(2);
  });

  it('gives up on a lasting 404 after its retries: not_found', async () => {
    const [url] = inboundMedia([{ contentType: 'image/jpeg', bytes: Buffer.from('never') }]);
    const fault = emulator.faults.inject({ endpoint: 'media.fetch', accountSid: account.accountSid, status: 404 });

    const error = await failure(gateway.openMedia(account, url!));

    expect(error.kind).toBe('not_found');
    expect(error.httpStatus).toBe(404);
    expect(fault.hits).toBe(RETRY_DELAYS_MS.length + 1);
  });

  it('wrong credentials: auth, with no secret in the message', async () => {
    const [url] = inboundMedia([{ contentType: 'image/jpeg', bytes: Buffer.from('x') }]);
    const wrong = { accountSid: account.accountSid, authToken: 'f0'.repeat(16) };

    const error = await failure(gateway.openMedia(wrong, url!));

    expect(error.kind).toBe('auth');
    expect(error.twilioCode).toBe(20003);
    expect(error.message).not.toContain(wrong.authToken);
  });

  it('5xx → transient with Retry-After; no answer in time → transient', async () => {
    const [url] = inboundMedia([{ contentType: 'image/jpeg', bytes: Buffer.from('x') }]);
    emulator.faults.inject({ endpoint: 'media.fetch', status: 503, retryAfterSeconds: 2, times: 1 });
    const busy = await failure(gateway.openMedia(account, url!));
    expect(busy).toMatchObject({ kind: 'transient', httpStatus: 503, retryAfterMs: 2000 });

    emulator.faults.inject({ endpoint: 'media.fetch', delayMs: TIMEOUT_MS * 3, times: 1 });
    const slow = await failure(gateway.openMedia(account, url!));
    expect(slow.kind).toBe('transient');
    expect(slow.message).toMatch(/did not answer in time/);
  });

  it('Twilio unreachable → transient', async () => {
    const down = await recordingServer((_, res) => res.end());
    await down.close();
    const offline = new TwilioSdkGateway({ apiUrl: down.url, timeoutMs: TIMEOUT_MS });
    const error = await failure(offline.openMedia(account, `${down.url}${MEDIA_PATH(account.accountSid)}`));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/could not reach Twilio/);
  });

  it('refuses, without any request, every URL but this account’s media URL on the API base', async () => {
    const elsewhere = await recordingServer((_, res) => res.end('stolen'));
    const [url] = inboundMedia([{ contentType: 'image/png', bytes: Buffer.from('png') }]);
    const other = emulator.state.createAccount('someone else', null);
    const [otherAccountsUrl] = inboundMedia([{ contentType: 'image/png', bytes: Buffer.from('png') }], { accountSid: other.sid, authToken: other.authToken });
    const requestsBefore = emulator.state.requests.length;
    const refused = [
      `${elsewhere.url}${MEDIA_PATH(account.accountSid)}`,
      otherAccountsUrl!,
      `${url!}?x=1`,
      `${url!}#frag`,
      `${url!}.json`,
      `${url!}/../../../Messages.json`.replace(/\/\.\.\//g, '/%2e%2e/'),
      url!.replace('http://', `http://${account.accountSid}:${account.authToken}@`),
      url!.replace('http://127.0.0.1', 'http://localhost'),
      `${emulator.url}/2010-04-01/Accounts/${account.accountSid}/Messages.json`,
      'file:///etc/passwd',
      'not a url',
    ];
    try {
      for (const candidate of refused) {
        const error = await failure(gateway.openMedia(account, candidate));
        expect(error).toBeInstanceOf(MediaUrlRefusedError);
        expect(error.message).not.toContain(account.authToken);
      }
      expect(elsewhere.requests).toHaveLength(0);
      expect(emulator.state.requests.length).toBe(requestsBefore);
    } finally {
      await elsewhere.close();
    }
  });

  it('follows a cross-origin redirect without the Authorization header; stops at redirect loops and odd locations', async () => {
    const cdn = await recordingServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'video/mp4' });
      res.end('mp4 bytes');
    });
    let next = '';
    const api = await recordingServer((req, res) => {
      res.writeHead(307, { Location: req.url?.includes('/Media/ME') ? next : '/loop' });
      res.end();
    });
    const viaApi = new TwilioSdkGateway({ apiUrl: api.url, timeoutMs: TIMEOUT_MS });
    const mediaUrl = `${api.url}${MEDIA_PATH(account.accountSid)}`;
    try {
      next = `${cdn.url}/signed/abc`;
      const content = await viaApi.openMedia(account, mediaUrl);
      expect((await readAll(content)).toString()).toBe('mp4 bytes');
      expect(content.contentType).toBe('video/mp4');
      expect(api.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`);
      expect(cdn.requests).toHaveLength(1);
      expect(cdn.requests[0]?.headers.authorization).toBeUndefined();

      // A redirect back to the API (same origin) gets no credentials either.
      const before = api.requests.length;
      next = '/loop';
      const loop = await failure(viaApi.openMedia(account, mediaUrl));
      expect(loop.kind).toBe('permanent');
      expect(api.requests.slice(before + 1).every((r) => r.headers.authorization === undefined)).toBe(true);

      next = 'file:///etc/passwd';
      expect((await failure(viaApi.openMedia(account, mediaUrl))).kind).toBe('permanent');
    } finally {
      await api.close();
      await cdn.close();
    }
  });

  it('stopping early cancels the download', async () => {
    let closed = false;
    const slowCdn = await recordingServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write(Buffer.alloc(1024, 1));
      req.socket.on('close', () => (closed = true));
      // Never ends on its own.
    });
    const api = await recordingServer((_, res) => {
      res.writeHead(307, { Location: `${slowCdn.url}/big` });
      res.end();
    });
    const viaApi = new TwilioSdkGateway({ apiUrl: api.url, timeoutMs: 5_000 });
    try {
      const content = await viaApi.openMedia(account, `${api.url}${MEDIA_PATH(account.accountSid)}`);
      for await (const chunk of content.body) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closed).toBe(true);
    } finally {
      await api.close();
      await slowCdn.close();
    }
  });

  it('a stalled body is aborted after the timeout', async () => {
    const stalling = await recordingServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write('first');
    });
    const viaApi = new TwilioSdkGateway({ apiUrl: stalling.url, timeoutMs: 150 });
    try {
      const content = await viaApi.openMedia(account, `${stalling.url}${MEDIA_PATH(account.accountSid)}`);
      const error = await failure(readAll(content));
      expect(error.kind).toBe('transient');
      expect(error.message).toMatch(/stalled/);
    } finally {
      await stalling.close();
    }
  });
});
