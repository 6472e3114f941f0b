import { TOKENS } from '../../src/application/ports/tokens';
import { TicketRepository } from '../../src/domain/ticket/ticket.repository';
import { startTestService, TestService } from '../support/e2e/test-service';
import { ConnectedNumber, connectExistingNumber, filed, postSigned } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

let t: TestService;
let acme: ConnectedNumber;
let globex: ConnectedNumber;
const WEBHOOK = '/ticket-messages/webhook';

beforeAll(async () => {
  t = await startTestService();
  acme = await connectExistingNumber(t, 'acme', '+14155552001');
  globex = await connectExistingNumber(t, 'globex', '+14155552002');
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

const db = () => t.service.connection.db!;
const tickets = () => db().collection('tickets');
const messages = () => db().collection('messages');

function inbound(to: ConnectedNumber, from: string, extra: Record<string, unknown> = {}) {
  return t.emulator.buildInboundParams({ to: to.number, from, accountSid: to.accountSid, ...extra });
}

describe('inbound WhatsApp messages through the signed webhook', () => {
  it('opens a ticket with the message, appends the next one, and opens a new ticket after closing', async () => {
    const first = inbound(acme, '+5511990000001', { body: 'Olá, preciso de ajuda', profileName: 'Ana' });
    const answer = await postSigned(t, WEBHOOK, first, { authToken: acme.authToken });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/text\/xml/);
    expect(answer.text).toContain('<Response/>');
    await filed(t);

    const ticket = await tickets().findOne({ companyId: 'acme', 'contact.whatsappNumber': '+5511990000001', status: 'open' });
    expect(ticket).toMatchObject({ integrationId: acme.integrationId, unreadCount: 1, contact: { profileName: 'Ana', waId: '5511990000001' } });
    expect(ticket!.lastMessage).toMatchObject({ preview: 'Olá, preciso de ajuda', direction: 'inbound' });
    expect(ticket!.lastInboundAt).toBeInstanceOf(Date);
    const stored = await messages().findOne({ twilioSid: first['MessageSid'] });
    expect(stored).toMatchObject({ companyId: 'acme', ticketId: ticket!._id, direction: 'inbound', status: 'received', body: 'Olá, preciso de ajuda' });

    const second = inbound(acme, '+5511990000001', { body: 'Alguém?' });
    expect((await postSigned(t, WEBHOOK, second, { authToken: acme.authToken })).status).toBe(200);
    await filed(t);
    const appended = await tickets().findOne({ _id: ticket!._id });
    expect(appended).toMatchObject({ unreadCount: 2, lastMessage: { preview: 'Alguém?' } });
    expect(await messages().countDocuments({ ticketId: ticket!._id })).toBe(2);

    // An agent closes it (through the aggregate; the tickets API has its own tests).
    const repo = t.service.container.get<TicketRepository>(TOKENS.TicketRepository);
    const aggregate = (await repo.findById('acme', String(ticket!._id)))!;
    aggregate.changeStatus('closed', new Date());
    await repo.save(aggregate);
    const third = inbound(acme, '+5511990000001', { body: 'Voltei' });
    expect((await postSigned(t, WEBHOOK, third, { authToken: acme.authToken })).status).toBe(200);
    await filed(t);
    const all = await tickets().find({ companyId: 'acme', 'contact.whatsappNumber': '+5511990000001' }).sort({ createdAt: 1 }).toArray();
    expect(all.map((x) => x.status)).toEqual(['closed', 'open']);
    expect(all[1]).toMatchObject({ unreadCount: 1, lastMessage: { preview: 'Voltei' } });
    expect(await messages().findOne({ twilioSid: third['MessageSid'] })).toMatchObject({ ticketId: all[1]!._id });
  });

  it('keeps media and WhatsApp extras', async () => {
    const params: Record<string, string> = {
      ...inbound(acme, '+5511990000002', { body: '', media: [{ contentType: 'image/jpeg' }, { contentType: 'application/pdf' }] }),
      Latitude: '-23.55',
      Longitude: '-46.63',
      ButtonPayload: 'yes-please',
      OriginalRepliedMessageSid: `SM${'a'.repeat(32)}`,
    };
    expect((await postSigned(t, WEBHOOK, params, { authToken: acme.authToken })).status).toBe(200);
    await filed(t);
    const stored = await messages().findOne({ twilioSid: params['MessageSid'] });
    expect(stored!.media).toEqual([
      { url: params['MediaUrl0'], contentType: 'image/jpeg' },
      { url: params['MediaUrl1'], contentType: 'application/pdf' },
    ]);
    expect(stored!.extras).toEqual({ latitude: '-23.55', longitude: '-46.63', buttonPayload: 'yes-please', repliedToSid: `SM${'a'.repeat(32)}` });
    expect(await tickets().findOne({ _id: stored!.ticketId })).toMatchObject({ lastMessage: { preview: '[2 attachments]' } });
  });

  it('20 concurrent replays of one webhook store one message and count it once', async () => {
    const params = inbound(globex, '+5511990000003', { body: 'só uma vez' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => postSigned(t, WEBHOOK, params, { authToken: globex.authToken })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    await filed(t);
    expect(await messages().countDocuments({ twilioSid: params['MessageSid'] })).toBe(1);
    const ticketList = await tickets().find({ companyId: 'globex', 'contact.whatsappNumber': '+5511990000003' }).toArray();
    expect(ticketList).toHaveLength(1);
    expect(ticketList[0]!.unreadCount).toBe(1);
    // And sequential replays later change nothing either.
    for (let i = 0; i < 3; i += 1) expect((await postSigned(t, WEBHOOK, params, { authToken: globex.authToken })).status).toBe(200);
    await filed(t);
    expect((await tickets().findOne({ _id: ticketList[0]!._id }))!.unreadCount).toBe(1);
  });

  it('concurrent first messages of one contact share one ticket', async () => {
    const batch = Array.from({ length: 8 }, (_, i) => inbound(globex, '+5511990000004', { body: `m${i}` }));
    const answers = await Promise.all(batch.map((p) => postSigned(t, WEBHOOK, p, { authToken: globex.authToken })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    await filed(t);
    const ticketList = await tickets().find({ companyId: 'globex', 'contact.whatsappNumber': '+5511990000004' }).toArray();
    expect(ticketList).toHaveLength(1);
    expect(ticketList[0]!.unreadCount).toBe(8);
    expect(await messages().countDocuments({ ticketId: ticketList[0]!._id })).toBe(8);
  });
});

describe('refused webhooks store nothing', () => {
  async function counts() {
    await filed(t);
    return {
      tickets: await tickets().countDocuments(),
      messages: await messages().countDocuments(),
      inbox: await db().collection('inbound_inbox').countDocuments(),
    };
  }

  it('bad or missing signature → 403; another account token → 403', async () => {
    const before = await counts();
    const params = inbound(acme, '+5511990000010', { body: 'forged' });
    const forged = await postSigned(t, WEBHOOK, params, { authToken: 'f'.repeat(32) });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('WEBHOOK.INVALID_SIGNATURE');
    const other = await postSigned(t, WEBHOOK, params, { authToken: globex.authToken });
    expect(other.status).toBe(403);
    const unsigned = await t.http.post(WEBHOOK).type('form').send(new URLSearchParams(params).toString());
    expect(unsigned.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('unknown To → 404; To of another account → 404', async () => {
    const before = await counts();
    const unknown = { ...inbound(acme, '+5511990000011'), To: 'whatsapp:+14155559999' };
    expect((await postSigned(t, WEBHOOK, unknown, { authToken: acme.authToken })).status).toBe(404);
    const crossed = { ...inbound(acme, '+5511990000011'), To: `whatsapp:${globex.number}` };
    const answer = await postSigned(t, WEBHOOK, crossed, { authToken: acme.authToken });
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('WEBHOOK.UNKNOWN_NUMBER');
    expect(await counts()).toEqual(before);
  });

  it('malformed (bad MessageSid, From, NumMedia, JSON body) → 400 with details', async () => {
    const before = await counts();
    const base = inbound(acme, '+5511990000012', { body: 'x' });
    const badSid = await postSigned(t, WEBHOOK, { ...base, MessageSid: 'nope', SmsMessageSid: 'nope' }, { authToken: acme.authToken });
    expect(badSid.status).toBe(400);
    expect(badSid.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'MessageSid' })]));
    expect((await postSigned(t, WEBHOOK, { ...base, From: 'whatsapp:abc' }, { authToken: acme.authToken })).status).toBe(400);
    expect((await postSigned(t, WEBHOOK, { ...base, NumMedia: '2' }, { authToken: acme.authToken })).status).toBe(400);
    const { AccountSid: _omit, ...noAccount } = base;
    expect((await postSigned(t, WEBHOOK, noAccount, { authToken: acme.authToken })).status).toBe(400);
    expect((await t.http.post(WEBHOOK).send(base)).status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('too large → 413', async () => {
    const before = await counts();
    const huge = inbound(acme, '+5511990000013', { body: 'x'.repeat(70 * 1024) });
    const answer = await postSigned(t, WEBHOOK, huge, { authToken: acme.authToken });
    expect(answer.status).toBe(413);
    expect(await counts()).toEqual(before);
  });
});
