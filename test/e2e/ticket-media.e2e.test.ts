import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Response } from 'superagent';
import { TOKENS } from '../../src/application/ports/tokens';
import { Message } from '../../src/domain/message/message';
import { MessageRepository } from '../../src/domain/message/message.repository';
import { Ticket } from '../../src/domain/ticket/ticket';
import { TicketRepository } from '../../src/domain/ticket/ticket.repository';
import type { AccountRecord } from '../../src/emulator';
import { startTestService, TestService } from '../support/e2e/test-service';
import { connectExistingNumber } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

let t: TestService;
let nextNumber = 0;
const newId = () => randomBytes(12).toString('hex');
const bearer = (companyId: string, role: 'admin' | 'agent' = 'agent') => `Bearer ${t.token(companyId, role)}`;

beforeAll(async () => {
  t = await startTestService();
});
afterEach(() => t.emulator.faults.clear());
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

interface Line {
  readonly companyId: string;
  readonly integrationId: string;
  readonly account: AccountRecord;
  readonly number: string;
}

/** An `existing`-mode integration of the company on an emulator account owning a fresh number. */
async function connect(companyId: string): Promise<Line> {
  nextNumber += 1;
  const line = await connectExistingNumber(t, companyId, `+1415555${String(4000 + nextNumber).padStart(4, '0')}`);
  return { companyId, integrationId: line.integrationId, account: line.account, number: line.number };
}

let contactSeq = 0;
/** A customer's media message as the inbound webhook stores it: Twilio's media URLs, as Twilio sent them. */
async function seedMediaMessage(line: Line, media: ReadonlyArray<{ url: string; contentType: string }>): Promise<Message> {
  contactSeq += 1;
  const ticket = Ticket.open({ id: newId(), companyId: line.companyId, integrationId: line.integrationId, contactNumber: `+5511${String(900000000 + contactSeq)}`, now: new Date() });
  await t.service.container.get<TicketRepository>(TOKENS.TicketRepository).save(ticket);
  const message = Message.receive({
    id: newId(),
    companyId: line.companyId,
    ticketId: ticket.id,
    integrationId: line.integrationId,
    twilioSid: `MM${randomBytes(16).toString('hex')}`,
    body: '',
    media,
    now: new Date(),
  });
  await t.service.container.get<MessageRepository>(TOKENS.MessageRepository).save(message);
  return message;
}

/** Emulator-registered media (served behind Twilio's auth and CDN redirect) on a stored message. */
async function seedEmulatorMedia(line: Line, items: ReadonlyArray<{ contentType: string; bytes: Buffer }>): Promise<Message> {
  const params = t.emulator.buildInboundParams({ to: line.number, from: '+5511987650000', media: items });
  return seedMediaMessage(
    line,
    items.map((item, index) => ({ url: params[`MediaUrl${index}`]!, contentType: item.contentType })),
  );
}

function getMedia(messageId: string, index: number | string, authorization: string | null = bearer('media-co')) {
  const request = t.http
    .get(`/ticket-messages/${messageId}/media/${index}`)
    .buffer(true)
    .parse((res: Response, done: (error: Error | null, body: Buffer) => void) => {
      // Raw bytes whatever the content type (superagent would parse JSON and images differently).
      const stream = res as unknown as NodeJS.ReadableStream;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => done(null, Buffer.concat(chunks)));
    });
  return authorization === null ? request : request.set('Authorization', authorization);
}

const jsonOf = (body: Buffer) => JSON.parse(body.toString('utf8')) as { error: { code: string; message: string } };

let line: Line;
beforeAll(async () => {
  line = await connect('media-co');
});

describe('GET /ticket-messages/:id/media/:n', () => {
  it('streams exactly the stored bytes with the upstream content type; the CDN hop gets no credentials', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), randomBytes(200_000)]);
    const pdf = Buffer.from('%PDF-1.7 tiny');
    const message = await seedEmulatorMedia(line, [
      { contentType: 'image/png', bytes: png },
      { contentType: 'application/pdf', bytes: pdf },
    ]);
    const cdnBefore = t.emulator.state.cdnRequests.length;

    const first = await getMedia(message.id, 0);
    const second = await getMedia(message.id, 1, bearer('media-co', 'admin'));

    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('image/png');
    expect(first.headers['content-length']).toBe(String(png.length));
    expect(first.headers['cache-control']).toBe('private, max-age=300');
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect((first.body as Buffer).equals(png)).toBe(true);
    expect(second.status).toBe(200);
    expect(second.headers['content-type']).toBe('application/pdf');
    expect((second.body as Buffer).equals(pdf)).toBe(true);

    const cdn = t.emulator.state.cdnRequests.slice(cdnBefore);
    expect(cdn).toHaveLength(2);
    expect(cdn.every((request) => request.status === 200 && request.authorization === false)).toBe(true);
    expect(t.logs()).not.toContain(line.account.authToken);
  });

  it('waits out Twilio’s "not ready yet" 404s', async () => {
    const message = await seedEmulatorMedia(line, [{ contentType: 'image/jpeg', bytes: Buffer.from('fresh jpeg') }]);
    const notReady = t.emulator.faults.inject({ endpoint: 'media.fetch', accountSid: line.account.sid, status: 404, times: 2 });

    const response = await getMedia(message.id, 0);

    expect(response.status).toBe(200);
    expect((response.body as Buffer).toString()).toBe('fresh jpeg');
    expect(notReady.hits).toBe(2);
  });

  it('refuses a media URL that is not Twilio’s: no request reaches that server, with or without credentials', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server: Server = createServer((req, res) => {
      seen.push(req.headers);
      res.end('not media');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const elsewhere = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const lookalike = `${elsewhere}/2010-04-01/Accounts/${line.account.sid}/Messages/MM${'1'.repeat(32)}/Media/ME${'2'.repeat(32)}`;
      const message = await seedMediaMessage(line, [
        { url: lookalike, contentType: 'image/png' },
        { url: `${elsewhere}/steal`, contentType: 'image/png' },
      ]);

      for (const index of [0, 1]) {
        const response = await getMedia(message.id, index);
        expect(response.status).toBe(422);
        expect(jsonOf(response.body as Buffer).error.code).toBe('MEDIA.URL_REFUSED');
      }
      expect(seen).toHaveLength(0);
      expect(t.logs()).not.toContain(line.account.authToken);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses media of another Twilio account than the integration’s', async () => {
    const other = await connect('media-co');
    const foreign = await seedEmulatorMedia(other, [{ contentType: 'image/png', bytes: Buffer.from('theirs') }]);
    const message = await seedMediaMessage(line, foreign.toSnapshot().media);
    const requestsBefore = t.emulator.state.requests.length;

    const response = await getMedia(message.id, 0);

    expect(response.status).toBe(422);
    expect(t.emulator.state.requests.length).toBe(requestsBefore);
  });

  it('another company’s user gets 404; a missing index is 404; a malformed one 400; no token 401', async () => {
    const message = await seedEmulatorMedia(line, [{ contentType: 'image/png', bytes: Buffer.from('mine') }]);
    const requestsBefore = t.emulator.state.requests.length;

    const foreign = await getMedia(message.id, 0, bearer('other-co', 'admin'));
    expect(foreign.status).toBe(404);
    expect(jsonOf(foreign.body as Buffer).error.code).toBe('MESSAGE.NOT_FOUND');
    const beyond = await getMedia(message.id, 1);
    expect(beyond.status).toBe(404);
    expect(jsonOf(beyond.body as Buffer).error.code).toBe('MESSAGE.MEDIA_NOT_FOUND');
    for (const bad of ['-1', 'abc', '1.5', '100']) expect((await getMedia(message.id, bad)).status).toBe(400);
    expect((await getMedia('nonexistent', 0)).status).toBe(404);
    expect((await getMedia(message.id, 0, null)).status).toBe(401);
    // None of these reached Twilio.
    expect(t.emulator.state.requests.length).toBe(requestsBefore);
  });

  it('maps Twilio failures before the first byte to JSON errors: 503 busy, 502 refused credentials, 404 gone', async () => {
    const message = await seedEmulatorMedia(line, [{ contentType: 'image/png', bytes: Buffer.from('x') }]);

    t.emulator.faults.inject({ endpoint: 'media.fetch', accountSid: line.account.sid, status: 503, retryAfterSeconds: 3, times: 1 });
    const busy = await getMedia(message.id, 0);
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('3');
    expect(busy.headers['content-type']).toMatch(/^application\/json/);
    expect(jsonOf(busy.body as Buffer).error.code).toBe('MEDIA.TWILIO_UNAVAILABLE');

    t.emulator.faults.inject({ endpoint: 'media.fetch', accountSid: line.account.sid, status: 401, times: 1 });
    const refused = await getMedia(message.id, 0);
    expect(refused.status).toBe(502);
    expect(jsonOf(refused.body as Buffer).error.code).toBe('MEDIA.TWILIO_AUTH_FAILED');

    t.emulator.faults.inject({ endpoint: 'media.fetch', accountSid: line.account.sid, status: 404 });
    const gone = await getMedia(message.id, 0);
    expect(gone.status).toBe(404);
    expect(jsonOf(gone.body as Buffer).error.code).toBe('MEDIA.NOT_FOUND_AT_TWILIO');
    t.emulator.faults.clear();

    expect((await getMedia(message.id, 0)).status).toBe(200);
    expect(t.logs()).not.toContain(line.account.authToken);
  });
});
