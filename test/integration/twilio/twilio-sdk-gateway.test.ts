import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import {
  CONNECTION_OVERRIDE_FRAGMENT,
  INBOUND_WEBHOOK_PATH,
  TwilioGatewayError,
  type TwilioCredentials,
} from '../../../src/application/ports/twilio-gateway.port';
import { TwilioSdkGateway } from '../../../src/infrastructure/twilio/twilio-sdk.gateway';
import { TwilioRequestClient } from '../../../src/infrastructure/twilio/twilio-request-client';
import { startTwilioEmulator, type TwilioEmulator } from '../../../src/emulator';

/** The real TwilioSdkGateway (hence the real `twilio` SDK) against the Twilio emulator. */

const SENDER_DELAY_MS = 40;
const TIMEOUT_MS = 300;

let emulator: TwilioEmulator;
let gateway: TwilioSdkGateway;
let master: TwilioCredentials;

beforeAll(async () => {
  emulator = await startTwilioEmulator({ senderOnlineDelayMs: SENDER_DELAY_MS });
  gateway = new TwilioSdkGateway({ apiUrl: emulator.url, timeoutMs: TIMEOUT_MS });
  master = emulator.masterAccount;
});
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

async function failure(promise: Promise<unknown>): Promise<TwilioGatewayError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof TwilioGatewayError) return error;
    throw error;
  }
  throw new Error('expected a TwilioGatewayError');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A master-owned number to send from. */
function ownedNumber(phone: string): string {
  if (emulator.state.numberByPhone(phone) === undefined) emulator.state.ownNumber(master.accountSid, phone);
  return phone;
}

describe('TwilioRequestClient', () => {
  it('sends every *.twilio.com URI to apiUrl, keeping path and query', () => {
    const client = new TwilioRequestClient({ apiUrl: 'http://127.0.0.1:4010/', timeoutMs: 1000 });
    expect(client.rewrite('https://api.twilio.com/2010-04-01/Accounts.json?PageSize=1')).toBe(
      'http://127.0.0.1:4010/2010-04-01/Accounts.json?PageSize=1',
    );
    expect(client.rewrite('https://messaging.twilio.com/v2/Channels/Senders')).toBe('http://127.0.0.1:4010/v2/Channels/Senders');
    expect(client.rewrite('https://example.com/x')).toBe('https://example.com/x');
    expect(new TwilioRequestClient({ timeoutMs: 1000 }).rewrite('https://api.twilio.com/x')).toBe('https://api.twilio.com/x');
  });
});

describe('provisioning', () => {
  it('creates a subaccount, buys and configures a number, registers a sender, then undoes it all', async () => {
    const sub = await gateway.createSubAccount(master, 'zapdesk-int-1');
    expect(sub).toEqual({ accountSid: expect.stringMatching(/^AC[0-9a-f]{32}$/), authToken: expect.stringMatching(/^[0-9a-f]{32}$/), friendlyName: 'zapdesk-int-1', status: 'active' });
    expect(await gateway.findSubAccountByName(master, 'zapdesk-int-1')).toEqual(sub);
    expect(await gateway.findSubAccountByName(master, 'nobody')).toBeNull();

    const account = { accountSid: sub.accountSid, authToken: sub.authToken };
    expect(await gateway.listOwnedNumbers(account)).toEqual([]);
    const offered = await gateway.searchAvailableNumbers(account, 'us', '415', 3);
    expect(offered).toHaveLength(3);
    expect(new Set(offered.map((n) => n.phoneNumber)).size).toBe(3);
    const available = offered[0];
    expect(available?.phoneNumber).toMatch(/^\+1415555\d{4}$/);
    const bought = await gateway.buyNumber(account, available!.phoneNumber, 'Zapdesk');
    expect(bought).toEqual({ sid: expect.stringMatching(/^PN[0-9a-f]{32}$/), phoneNumber: available!.phoneNumber });
    expect(await gateway.findNumber(account, bought.phoneNumber)).toEqual(bought);
    expect(await gateway.listOwnedNumbers(account)).toEqual([bought]);
    // The bought number is no longer for sale.
    expect((await gateway.searchAvailableNumbers(account, 'US', '415', 5)).map((n) => n.phoneNumber)).not.toContain(bought.phoneNumber);

    const config = await gateway.configureWebhook(account, bought.sid, { apiUrl: 'https://zapdesk.example.com/', method: 'POST' });
    const webhookUrl = `https://zapdesk.example.com${INBOUND_WEBHOOK_PATH}`;
    expect(config).toEqual({
      sid: bought.sid,
      phoneNumber: bought.phoneNumber,
      smsUrl: `${webhookUrl}#rc=3&rp=5xx,ct,rt`,
      smsMethod: 'POST',
      smsFallbackUrl: webhookUrl,
      statusCallback: null,
    });
    expect(CONNECTION_OVERRIDE_FRAGMENT).toBe('#rc=3&rp=5xx,ct,rt');
    expect(await gateway.fetchNumberConfig(account, bought.sid)).toEqual(config);

    const sender = await gateway.registerWhatsAppSender(account, bought.phoneNumber, 'Acme Support');
    expect(sender).toEqual({ sid: expect.stringMatching(/^XE[0-9a-f]{32}$/), senderId: `whatsapp:${bought.phoneNumber}`, status: 'CREATING' });
    expect(emulator.state.senders.get(sender.sid)?.profile).toEqual({ name: 'Acme Support' });
    await sleep(SENDER_DELAY_MS + 10);
    expect((await gateway.fetchSenderStatus(account, sender.sid)).status).toBe('ONLINE');

    await gateway.releaseNumber(account, bought.sid);
    expect(await gateway.findNumber(account, bought.phoneNumber)).toBeNull();
    const again = await failure(gateway.releaseNumber(account, bought.sid));
    expect(again).toMatchObject({ kind: 'not_found', twilioCode: 20404, httpStatus: 404 });

    await gateway.closeSubAccount(master, sub.accountSid);
    await gateway.closeSubAccount(master, sub.accountSid); // closing again is harmless
    expect(emulator.state.accounts.get(sub.accountSid)?.status).toBe('closed');
    expect(await gateway.findSubAccountByName(master, 'zapdesk-int-1')).toBeNull();
    // A closed subaccount's own credentials stop working.
    expect(await failure(gateway.fetchAccount(account))).toMatchObject({ kind: 'auth', twilioCode: 20003 });
  });

  it('lets the master act on a subaccount path, not one subaccount on another', async () => {
    const one = await gateway.createSubAccount(master, 'zapdesk-int-2');
    const two = await gateway.createSubAccount(master, 'zapdesk-int-3');
    const get = (path: string, user: string, password: string): Promise<Response> =>
      fetch(`${emulator.url}${path}`, { headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
    const numbersOfOne = `/2010-04-01/Accounts/${one.accountSid}/IncomingPhoneNumbers.json`;
    expect((await get(numbersOfOne, master.accountSid, master.authToken)).status).toBe(200);
    expect((await get(numbersOfOne, one.accountSid, one.authToken)).status).toBe(200);
    expect((await get(numbersOfOne, two.accountSid, two.authToken)).status).toBe(401);
    // The SDK signs in as the path account, so a subaccount SID with the master's token is refused.
    const mixed = await failure(gateway.fetchAccount({ accountSid: one.accountSid, authToken: master.authToken }));
    expect(mixed).toMatchObject({ kind: 'auth', twilioCode: 20003 });
  });
});

describe('error classification', () => {
  it('maps a wrong token to auth / 20003 and never echoes the token', async () => {
    const wrong = 'f'.repeat(32);
    const error = await failure(gateway.fetchAccount({ accountSid: master.accountSid, authToken: wrong }));
    expect(error).toMatchObject({ kind: 'auth', twilioCode: 20003, httpStatus: 401 });
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(Buffer.from(`${master.accountSid}:${wrong}`).toString('base64'));
  });

  it('maps an invalid To (21211) to permanent', async () => {
    const from = ownedNumber('+14155550001');
    const error = await failure(gateway.sendMessage(master, { from, to: '12345', body: 'hi', statusCallback: 'https://z.example.com/s' }));
    expect(error).toMatchObject({ kind: 'permanent', twilioCode: 21211, httpStatus: 400 });
  });

  it('maps 503 to transient, and the fault stops after `times`', async () => {
    const fault = emulator.faults.inject({ endpoint: 'balance.fetch', status: 503, times: 2 });
    expect(await failure(gateway.fetchBalance(master))).toMatchObject({ kind: 'transient', httpStatus: 503, twilioCode: 20503 });
    expect(await failure(gateway.fetchBalance(master))).toMatchObject({ kind: 'transient', httpStatus: 503 });
    await expect(gateway.fetchBalance(master)).resolves.toMatchObject({ accountSid: master.accountSid });
    expect(fault.hits).toBe(2);
  });

  it('maps 429 to transient with the Retry-After delay', async () => {
    emulator.faults.inject({ accountSid: master.accountSid, endpoint: 'messages.create', status: 429, retryAfterSeconds: 7, times: 1 });
    const error = await failure(
      gateway.sendMessage(master, { from: ownedNumber('+14155550002'), to: '+5511999990000', body: 'hi', statusCallback: 'https://z.example.com/s' }),
    );
    expect(error).toMatchObject({ kind: 'transient', httpStatus: 429, twilioCode: 20429, retryAfterMs: 7000 });
  });

  it('maps a timeout to transient without an HTTP status', async () => {
    emulator.faults.inject({ endpoint: 'accounts.fetch', delayMs: TIMEOUT_MS * 3, times: 1 });
    const started = Date.now();
    const error = await failure(gateway.fetchAccount(master));
    expect(error).toMatchObject({ kind: 'transient', httpStatus: undefined, twilioCode: undefined });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);
  });

  it('maps an unreachable host to transient without leaking credentials', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const offline = new TwilioSdkGateway({ apiUrl: `http://127.0.0.1:${port}`, timeoutMs: TIMEOUT_MS });
    const error = await failure(offline.fetchAccount(master));
    expect(error).toMatchObject({ kind: 'transient', httpStatus: undefined });
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain(master.authToken);
  });

  it.each([
    [20003, 401, 'auth'],
    [21610, 400, 'permanent'],
    [63016, 400, 'permanent'],
    [63018, 400, 'transient'],
    [20429, 429, 'transient'],
    [20404, 404, 'not_found'],
  ] as const)('maps an injected %i (HTTP %i) to %s', async (code, status, kind) => {
    emulator.faults.inject({ bodyContains: `fault-${code}`, status, code, times: 1 });
    const error = await failure(
      gateway.sendMessage(master, { from: ownedNumber('+14155550003'), to: '+5511999990001', body: `fault-${code}`, statusCallback: 'https://z.example.com/s' }),
    );
    expect(error).toMatchObject({ kind, twilioCode: code, httpStatus: status });
  });

  it('maps an unknown number to not_found', async () => {
    const error = await failure(gateway.fetchNumberConfig(master, `PN${'0'.repeat(32)}`));
    expect(error).toMatchObject({ kind: 'not_found', twilioCode: 20404, httpStatus: 404 });
  });
});

describe('balance and messages', () => {
  it('fetches the balance', async () => {
    emulator.state.setBalance(master.accountSid, 12.5);
    expect(await gateway.fetchBalance(master)).toEqual({ accountSid: master.accountSid, balance: 12.5, currency: 'USD' });
  });

  it('sends, fetches and lists messages with the whatsapp: prefix handled', async () => {
    const from = ownedNumber('+14155550010');
    const before = new Date(Date.now() - 1000);
    const text = await gateway.sendMessage(master, { from, to: '+5511988887777', body: 'Olá!', statusCallback: 'https://z.example.com/ticket-messages/status?messageId=m1' });
    expect(text).toEqual({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued', dateCreated: expect.any(Date) });
    const template = await gateway.sendMessage(master, {
      from,
      to: '+5511988887777',
      contentSid: `HX${'a'.repeat(32)}`,
      contentVariables: { '1': 'Ana' },
      statusCallback: 'https://z.example.com/ticket-messages/status?messageId=m2',
    });
    const logged = emulator.state.sentMessages.filter((m) => m.sid === text.sid || m.sid === template.sid);
    expect(logged).toEqual([
      expect.objectContaining({ from: `whatsapp:${from}`, to: 'whatsapp:+5511988887777', body: 'Olá!', statusCallback: 'https://z.example.com/ticket-messages/status?messageId=m1', receivedAt: expect.any(Number) }),
      expect.objectContaining({ contentSid: `HX${'a'.repeat(32)}`, contentVariables: '{"1":"Ana"}', body: null }),
    ]);

    await emulator.advanceMessage(text.sid, 'failed', 63016);
    expect(await gateway.fetchMessage(master, text.sid)).toEqual({ sid: text.sid, status: 'failed', dateCreated: expect.any(Date), errorCode: 63016 });

    const listed = await gateway.listMessages(master, { from, to: '+5511988887777', sentAfter: before });
    expect(listed.map((m) => m.sid).sort()).toEqual([text.sid, template.sid].sort());
    expect(listed.find((m) => m.sid === text.sid)).toMatchObject({ from, to: '+5511988887777', body: 'Olá!' });
    expect(await gateway.listMessages(master, { from, to: '+5511988887777', sentAfter: new Date(Date.now() + 60_000) })).toEqual([]);
  });
});

describe('webhooks from the emulator', () => {
  interface Captured {
    readonly url: string;
    readonly signature: string;
    readonly params: Record<string, string>;
  }
  let receiver: Server;
  let receiverUrl: string;
  const captured: Captured[] = [];
  let answers: number[] = [];

  const body = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      void body(req).then((raw) => {
        captured.push({
          url: `${receiverUrl}${req.url ?? ''}`,
          signature: String(req.headers['x-twilio-signature']),
          params: Object.fromEntries(new URLSearchParams(raw)),
        });
        res.writeHead(answers.shift() ?? 200, { 'Content-Type': 'text/xml' });
        res.end('<Response/>');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    captured.length = 0;
    answers = [];
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('signs inbound messages so twilio.validateRequest accepts them, without the fragment', async () => {
    const sub = await gateway.createSubAccount(master, 'zapdesk-hooks');
    emulator.state.ownNumber(sub.accountSid, '+14155550020');
    const params = emulator.buildInboundParams({
      to: '+14155550020',
      from: '+5511977776666',
      body: 'Preciso de ajuda',
      profileName: 'Maria',
      media: [{ contentType: 'image/jpeg', bytes: Buffer.from('jpeg-bytes') }],
    });
    expect(params).toMatchObject({
      MessageSid: expect.stringMatching(/^MM[0-9a-f]{32}$/),
      AccountSid: sub.accountSid,
      From: 'whatsapp:+5511977776666',
      To: 'whatsapp:+14155550020',
      Body: 'Preciso de ajuda',
      NumMedia: '1',
      MediaContentType0: 'image/jpeg',
      ProfileName: 'Maria',
      WaId: '5511977776666',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    });

    const target = `${receiverUrl}${INBOUND_WEBHOOK_PATH}${CONNECTION_OVERRIDE_FRAGMENT}`;
    const delivery = await emulator.sendInboundMessage(target, params);
    expect(delivery.status).toBe(200);
    const [request] = captured;
    expect(request?.url).toBe(`${receiverUrl}${INBOUND_WEBHOOK_PATH}`);
    expect(request?.params).toEqual(params);
    expect(twilio.validateRequest(sub.authToken, request!.signature, request!.url, request!.params)).toBe(true);
    expect(twilio.validateRequest(master.authToken, request!.signature, request!.url, request!.params)).toBe(false);

    // The media URL is the emulator's own, served with basic auth.
    const mediaUrl = params['MediaUrl0']!;
    expect(mediaUrl.startsWith(`${emulator.url}/2010-04-01/Accounts/${sub.accountSid}/Messages/${params['MessageSid']}/Media/ME`)).toBe(true);
    expect((await fetch(mediaUrl)).status).toBe(401);
    const media = await fetch(mediaUrl, { headers: { Authorization: `Basic ${Buffer.from(`${sub.accountSid}:${sub.authToken}`).toString('base64')}` } });
    expect(media.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await media.arrayBuffer()).toString()).toBe('jpeg-bytes');
  });

  it('can send a wrong signature on purpose', async () => {
    const params = emulator.buildInboundParams({ to: '+14155550021', from: '+5511977776667', body: 'x', accountSid: master.accountSid });
    await emulator.sendInboundMessage(`${receiverUrl}/hook`, params, { signatureOverride: 'bogus' });
    expect(twilio.validateRequest(master.authToken, captured[0]!.signature, captured[0]!.url, captured[0]!.params)).toBe(false);
  });

  it('delivers to the configured SmsUrl, retrying 5xx per the #rc fragment', async () => {
    const sub = await gateway.createSubAccount(master, 'zapdesk-retry');
    const account = { accountSid: sub.accountSid, authToken: sub.authToken };
    const number = await gateway.buyNumber(account, (await gateway.searchAvailableNumbers(account, 'US', '212', 1))[0]!.phoneNumber);
    await gateway.configureWebhook(account, number.sid, { apiUrl: receiverUrl, method: 'POST' });
    answers = [503, 503];
    const result = await emulator.deliverInbound({ to: number.phoneNumber, from: '+5511955554444', body: 'retry me' });
    expect(result.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(new Set(captured.map((c) => c.params['MessageSid'])).size).toBe(1);
    for (const c of captured) expect(twilio.validateRequest(sub.authToken, c.signature, c.url, c.params)).toBe(true);
  });

  it('signs status callbacks with the status callback URL, query included', async () => {
    const from = ownedNumber('+14155550030');
    const callback = `${receiverUrl}/ticket-messages/status?messageId=abc`;
    const sent = await gateway.sendMessage(master, { from, to: '+5511944443333', body: 'hi', statusCallback: callback });
    const delivery = await emulator.advanceMessage(sent.sid, 'delivered');
    expect(delivery?.status).toBe(200);
    const [request] = captured;
    expect(request?.url).toBe(callback);
    expect(request?.params).toMatchObject({ MessageSid: sent.sid, MessageStatus: 'delivered', AccountSid: master.accountSid, From: `whatsapp:${from}`, To: 'whatsapp:+5511944443333' });
    expect(twilio.validateRequest(master.authToken, request!.signature, callback, request!.params)).toBe(true);
    const manual = await emulator.sendStatusCallback(callback, emulator.buildStatusCallbackParams(sent.sid));
    expect(manual.status).toBe(200);
  });

  it('plays queued → sent → delivered with callbacks when the lifecycle is on', async () => {
    const lively = await startTwilioEmulator({ messageLifecycle: { stepDelayMs: 5 } });
    try {
      const liveGateway = new TwilioSdkGateway({ apiUrl: lively.url, timeoutMs: TIMEOUT_MS });
      lively.state.ownNumber(lively.masterAccount.accountSid, '+14155550040');
      const sent = await liveGateway.sendMessage(lively.masterAccount, { from: '+14155550040', to: '+5511933332222', body: 'hi', statusCallback: `${receiverUrl}/s?messageId=1` });
      for (let i = 0; i < 100 && captured.length < 3; i += 1) await sleep(5);
      expect(captured.map((c) => c.params['MessageStatus'])).toEqual(['queued', 'sent', 'delivered']);
      expect((await liveGateway.fetchMessage(lively.masterAccount, sent.sid)).status).toBe('delivered');

      lively.faults.inject({ endpoint: 'messages.create', asyncErrorCode: 63016, times: 1 });
      captured.length = 0;
      const late = await liveGateway.sendMessage(lively.masterAccount, { from: '+14155550040', to: '+5511933332222', body: 'late', statusCallback: `${receiverUrl}/s?messageId=2` });
      expect(late.status).toBe('queued');
      for (let i = 0; i < 100 && captured.length < 2; i += 1) await sleep(5);
      expect(captured.map((c) => [c.params['MessageStatus'], c.params['ErrorCode']])).toEqual([['queued', undefined], ['failed', '63016']]);
    } finally {
      await lively.close();
    }
  });
});
