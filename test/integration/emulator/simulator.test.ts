import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { startTwilioEmulator, type TwilioEmulator } from '../../../src/emulator';

/**
 * The simulator over HTTP (`/_simulator/...`), the state file that keeps emulated accounts across
 * restarts, and the fail marker. A tiny HTTP server plays Zapdesk: it records every signed POST
 * and checks its signature with the twilio package, as the service does.
 */

interface Received {
  readonly path: string;
  readonly params: Record<string, string>;
  readonly signatureValid: boolean;
}

let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
let tokens: Record<string, string> = {};
let dir: string;

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === '/photo.jpg') {
        res.writeHead(200, { 'Content-Type': 'image/jpeg' });
        res.end(PHOTO);
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(404);
        res.end();
        return;
      }
      const params = Object.fromEntries(new URLSearchParams(await readAll(req)));
      const url = `${receiverUrl}${req.url}`;
      const token = tokens[params['AccountSid'] ?? ''] ?? '';
      received.push({ path: req.url ?? '', params, signatureValid: twilio.validateRequest(token, String(req.headers['x-twilio-signature']), url, params) });
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end('<Response/>');
    })();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zapdesk-emulator-'));
  received.length = 0;
  tokens = {};
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers });
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(json);
const basic = (sid: string, token: string) => `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;

/** An emulated account with a number whose SmsUrl points at the receiver (as Zapdesk's webhook sync does). */
async function accountWithWebhook(emulator: TwilioEmulator, whatsappNumber?: string) {
  const created = await post(`${emulator.url}/_simulator/accounts`, { friendlyName: 'Acme', ...(whatsappNumber ? { whatsappNumber } : {}) });
  expect(created.status).toBe(201);
  const { accountSid, authToken, whatsappNumber: number } = created.body as { accountSid: string; authToken: string; whatsappNumber: string };
  tokens[accountSid] = authToken;
  const client = twilio(accountSid, authToken, { edge: undefined });
  client.api.baseUrl = emulator.url;
  const [owned] = await client.incomingPhoneNumbers.list({ phoneNumber: number });
  await client.incomingPhoneNumbers(owned!.sid).update({ smsUrl: `${receiverUrl}/ticket-messages/webhook#rc=3&rp=5xx,ct,rt` });
  return { accountSid, authToken, whatsappNumber: number, client };
}

describe('simulator over HTTP', () => {
  let emulator: TwilioEmulator;
  beforeEach(async () => {
    emulator = await startTwilioEmulator({ stateFile: join(dir, 'twilio-emulator.json') });
  });
  afterEach(() => emulator.close());

  it('sends a signed inbound webhook to the number, as Twilio would, and answers with its outcome', async () => {
    const { accountSid, whatsappNumber } = await accountWithWebhook(emulator);
    const result = await post(`${emulator.url}/_simulator/inbound`, { to: whatsappNumber, from: '+5511999990001', body: 'Olá', profileName: 'Maria' });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ to: whatsappNumber, from: '+5511999990001', webhookStatus: 200, webhookAttempts: 1 });
    expect(result.body['messageSid']).toMatch(/^SM[0-9a-f]{32}$/);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: '/ticket-messages/webhook', signatureValid: true });
    expect(received[0]!.params).toMatchObject({
      AccountSid: accountSid,
      MessageSid: result.body['messageSid'],
      To: `whatsapp:${whatsappNumber}`,
      From: 'whatsapp:+5511999990001',
      Body: 'Olá',
      ProfileName: 'Maria',
      WaId: '5511999990001',
      NumMedia: '0',
    });
  });

  it('defaults to the customer +5511999990000 and the most recently configured number', async () => {
    await accountWithWebhook(emulator);
    const second = await accountWithWebhook(emulator);
    const result = await post(`${emulator.url}/_simulator/inbound`, { body: 'hi' });
    expect(result.body).toMatchObject({ to: second.whatsappNumber, from: '+5511999990000', webhookStatus: 200 });
    const numbers = await fetch(`${emulator.url}/_simulator/numbers`).then(json);
    expect(numbers.body['defaultTo']).toBe(second.whatsappNumber);
    expect(numbers.body['numbers']).toHaveLength(2);
  });

  it('stores a media URL as Twilio does: the webhook carries the emulator\'s own media URL, served with the account\'s credentials', async () => {
    const { accountSid, authToken, whatsappNumber } = await accountWithWebhook(emulator);
    const result = await post(`${emulator.url}/_simulator/inbound`, { to: whatsappNumber, mediaUrl: `${receiverUrl}/photo.jpg` });
    expect(result.status).toBe(200);
    const params = received[0]!.params;
    expect(params).toMatchObject({ NumMedia: '1', MediaContentType0: 'image/jpeg', MessageType: 'image' });
    expect(params['MediaUrl0']).toMatch(new RegExp(`^${emulator.url}/2010-04-01/Accounts/${accountSid}/Messages/MM`));
    const media = await fetch(params['MediaUrl0']!, { headers: { Authorization: basic(accountSid, authToken) } });
    expect(Buffer.from(await media.arrayBuffer())).toEqual(PHOTO);
  });

  it('refuses bad input with the error shape, and a number without a webhook with 409', async () => {
    expect((await post(`${emulator.url}/_simulator/inbound`, { body: 'x' })).status).toBe(409);
    const { whatsappNumber } = await accountWithWebhook(emulator);
    const badFrom = await post(`${emulator.url}/_simulator/inbound`, { to: whatsappNumber, from: '11999', body: 'x' });
    expect(badFrom.status).toBe(400);
    expect(badFrom.body).toMatchObject({ error: { code: 'SIMULATOR.INVALID_INPUT' } });
    expect((await post(`${emulator.url}/_simulator/inbound`, { to: '+19999999999', body: 'x' })).status).toBe(409);
    expect((await post(`${emulator.url}/_simulator/inbound`, { to: whatsappNumber })).status).toBe(400);
    expect((await post(`${emulator.url}/_simulator/inbound`, { to: whatsappNumber, body: 'x', mediaUrl: `${receiverUrl}/nope` })).status).toBe(400);
    expect((await fetch(`${emulator.url}/_simulator/elsewhere`)).status).toBe(404);
    expect(received).toHaveLength(0);
  });

  it('allows CORS from loopback origins (the console) and not from other sites', async () => {
    const preflight = await fetch(`${emulator.url}/_simulator/inbound`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
    const foreign = await fetch(`${emulator.url}/_simulator/numbers`, { headers: { Origin: 'https://example.com' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps simulator routes apart from the Twilio API (which still wants credentials)', async () => {
    expect((await fetch(`${emulator.url}/2010-04-01/Accounts.json`)).status).toBe(401);
  });
});

describe('state file', () => {
  it('keeps the master, the accounts\' credentials and the numbers\' webhooks across restarts, owner-only', async () => {
    const stateFile = join(dir, 'twilio-emulator.json');
    const first = await startTwilioEmulator({ stateFile });
    const { accountSid, authToken, whatsappNumber } = await accountWithWebhook(first);
    const master = first.masterAccount;
    await first.close();
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    const second = await startTwilioEmulator({ stateFile, masterAccount: { sid: 'ACignored', token: 'ignored' } });
    try {
      expect(second.masterAccount).toEqual(master);
      const account = await fetch(`${second.url}/2010-04-01/Accounts/${accountSid}.json`, { headers: { Authorization: basic(accountSid, authToken) } });
      expect(account.status).toBe(200);
      const result = await post(`${second.url}/_simulator/inbound`, { body: 'after restart' });
      expect(result.body).toMatchObject({ to: whatsappNumber, webhookStatus: 200 });
      expect(received.at(-1)).toMatchObject({ signatureValid: true });
    } finally {
      await second.close();
    }
  });
});

describe('message lifecycle and the fail marker', () => {
  it('moves a send along queued → sent → delivered → read; a #fail body fails once with 30008, and its resend is delivered', async () => {
    const emulator = await startTwilioEmulator({ messageLifecycle: { stepDelayMs: 5, finalStatus: 'read' }, failMarker: '#fail' });
    try {
      const { client, whatsappNumber } = await accountWithWebhook(emulator);
      const send = (body: string) =>
        client.messages.create({ from: `whatsapp:${whatsappNumber}`, to: 'whatsapp:+5511999990000', body, statusCallback: `${receiverUrl}/ticket-messages/status?messageId=${encodeURIComponent(body)}` });
      const statuses = async (sid: string, count: number) => {
        const deadline = Date.now() + 5000;
        for (;;) {
          const seen = received.filter((r) => r.params['MessageSid'] === sid);
          if (seen.length >= count || Date.now() > deadline) return seen.map((r) => [r.params['MessageStatus'], r.params['ErrorCode'] ?? null, r.signatureValid]);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      const ok = await send('hello');
      expect(await statuses(ok.sid, 4)).toEqual([['queued', null, true], ['sent', null, true], ['delivered', null, true], ['read', null, true]]);
      const failing = await send('please #fail');
      expect(await statuses(failing.sid, 2)).toEqual([['queued', null, true], ['undelivered', '30008', true]]);
      const retried = await send('please #fail');
      expect((await statuses(retried.sid, 4)).map((s) => s[0])).toEqual(['queued', 'sent', 'delivered', 'read']);
    } finally {
      await emulator.close();
    }
  });
});
