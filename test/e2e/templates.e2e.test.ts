import { connectExistingNumber, customerWrites, messageBecomes, reply, sendsTo, startOutboundService, ConnectedNumber, OpenTicket, TestService } from './outbound-support';

jest.setTimeout(60_000);

/**
 * The template catalogue (GET /integrations/:id/templates, Twilio's Content API on the emulator)
 * and the template rules of a send: approved only outside the 24-hour window, every variable given.
 */
let t: TestService;
let acme: ConnectedNumber;
let approved: string;
let pending: string;
let rejected: string;
let noVariables: string;
const db = () => t.service.connection.db!;
const HOUR = 60 * 60 * 1000;

beforeAll(async () => {
  // A long cache: what the catalogue shows without `refresh` is provably the cached list.
  t = await startOutboundService({ env: { TEMPLATE_CACHE_MS: '600000' } });
  acme = await connectExistingNumber(t, 'acme', '+14155553101');
  const state = t.emulator.state;
  approved = state.addContent(acme.accountSid, {
    friendlyName: 'order_shipped',
    variables: { '1': 'Ana', '2': '#1042' },
    types: { 'twilio/text': { body: 'Hi {{1}}, your order {{2}} has shipped.' } },
  }).sid;
  pending = state.addContent(acme.accountSid, {
    friendlyName: 'spring_sale',
    variables: { '1': 'Ana' },
    types: { 'twilio/text': { body: '{{1}}, 20% off until Sunday!' } },
    approvalStatus: 'pending',
    category: 'MARKETING',
  }).sid;
  rejected = state.addContent(acme.accountSid, {
    friendlyName: 'feedback_card',
    language: 'pt_BR',
    variables: { '1': 'Ana' },
    types: { 'whatsapp/card': { body: 'Como foi, {{1}}?', actions: [{ type: 'QUICK_REPLY', title: 'Ótimo', id: 'great' }] } },
    approvalStatus: 'rejected',
    rejectionReason: 'INVALID_FORMAT: a button needs an example',
  }).sid;
  noVariables = state.addContent(acme.accountSid, {
    friendlyName: 'follow_up',
    types: { 'twilio/quick-reply': { body: 'Still need help?', actions: [{ title: 'Yes', id: 'yes' }] }, 'twilio/text': { body: 'Still need help?' } },
  }).sid;
});
afterAll(async () => {
  await db().dropDatabase();
  await t.close();
});

function listTemplates(integrationId: string, options: { companyId?: string; role?: 'admin' | 'agent'; query?: string } = {}) {
  return t.http
    .get(`/integrations/${integrationId}/templates${options.query ?? ''}`)
    .set('Authorization', `Bearer ${t.token(options.companyId ?? acme.companyId, options.role ?? 'agent')}`);
}

async function windowClosed(ticket: OpenTicket): Promise<void> {
  await db().collection('tickets').updateOne({ _id: ticket.ticketId as never }, { $set: { lastInboundAt: new Date(Date.now() - 25 * HOUR) } });
}

const messagesOf = (ticket: OpenTicket) => db().collection('messages').countDocuments({ ticketId: ticket.ticketId, direction: 'outbound' });

describe('GET /integrations/:id/templates', () => {
  it("lists the account's Content templates with variables, types and WhatsApp approval, for agents and admins", async () => {
    const answer = await listTemplates(acme.integrationId);
    expect(answer.status).toBe(200);
    expect(answer.body.nextCursor).toBeNull();
    expect(Date.parse(answer.body.fetchedAt)).not.toBeNaN();
    expect(answer.body.items.map((i: { friendlyName: string }) => i.friendlyName)).toEqual(['feedback_card', 'follow_up', 'order_shipped', 'spring_sale']);
    const byName = Object.fromEntries(answer.body.items.map((i: { friendlyName: string }) => [i.friendlyName, i]));
    expect(byName.order_shipped).toEqual({
      sid: approved,
      friendlyName: 'order_shipped',
      language: 'en',
      variables: [
        { name: '1', sample: 'Ana' },
        { name: '2', sample: '#1042' },
      ],
      types: ['twilio/text'],
      body: 'Hi {{1}}, your order {{2}} has shipped.',
      approval: { status: 'approved', rejectionReason: null, category: 'UTILITY' },
      allowedOutsideWindow: true,
    });
    expect(byName.spring_sale).toMatchObject({ sid: pending, approval: { status: 'pending', rejectionReason: null, category: 'MARKETING' }, allowedOutsideWindow: false });
    expect(byName.feedback_card).toMatchObject({
      sid: rejected,
      language: 'pt_BR',
      types: ['whatsapp/card'],
      approval: { status: 'rejected', rejectionReason: 'INVALID_FORMAT: a button needs an example' },
      allowedOutsideWindow: false,
    });
    expect(byName.follow_up).toMatchObject({ sid: noVariables, variables: [], types: ['twilio/quick-reply', 'twilio/text'], allowedOutsideWindow: true });
    expect((await listTemplates(acme.integrationId, { role: 'admin' })).status).toBe(200);
  });

  it('answers from its cache until refresh=true asks Twilio again', async () => {
    const first = await listTemplates(acme.integrationId);
    const listCalls = () => t.emulator.state.requests.filter((r) => r.endpoint === 'content-and-approvals.list').length;
    const callsBefore = listCalls();
    const added = t.emulator.state.addContent(acme.accountSid, { friendlyName: 'added_later', types: { 'twilio/text': { body: 'Hello' } } });
    try {
      const cached = await listTemplates(acme.integrationId);
      expect(cached.body.fetchedAt).toBe(first.body.fetchedAt);
      expect(cached.body.items.map((i: { sid: string }) => i.sid)).not.toContain(added.sid);
      expect(listCalls()).toBe(callsBefore);

      const refreshed = await listTemplates(acme.integrationId, { query: '?refresh=true' });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.items.map((i: { sid: string }) => i.sid)).toContain(added.sid);
      expect(listCalls()).toBe(callsBefore + 1);
    } finally {
      t.emulator.state.contents.delete(added.sid);
      await listTemplates(acme.integrationId, { query: '?refresh=true' });
    }
  });

  it("answers 404 for another company's integration and an unknown one, 400 for a bad refresh", async () => {
    const other = await listTemplates(acme.integrationId, { companyId: 'globex' });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('INTEGRATION.NOT_FOUND');
    expect((await listTemplates('6650f0c2a1b2c3d4e5f60799')).status).toBe(404);
    const bad = await listTemplates(acme.integrationId, { query: '?refresh=yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('refresh');
    expect((await listTemplates(acme.integrationId, { query: '?refresh=true&limit=5' })).status).toBe(400);
  });

  it("answers 503 when Twilio's Content API is down, and 502 when Twilio refuses the credentials", async () => {
    const down = t.emulator.faults.inject({ endpoint: 'content-and-approvals.list', accountSid: acme.accountSid, status: 503 });
    try {
      const answer = await listTemplates(acme.integrationId, { query: '?refresh=true' });
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe('TEMPLATE.CATALOGUE_UNAVAILABLE');
    } finally {
      down.remove();
    }
    const refused = t.emulator.faults.inject({ endpoint: 'content-and-approvals.list', accountSid: acme.accountSid, status: 401 });
    try {
      const answer = await listTemplates(acme.integrationId, { query: '?refresh=true' });
      expect(answer.status).toBe(502);
      expect(answer.body.error.code).toBe('TEMPLATE.TWILIO_AUTH_FAILED');
      expect(JSON.stringify(answer.body)).not.toContain(acme.authToken);
    } finally {
      refused.remove();
    }
  });
});

describe('sending a template', () => {
  it('outside the 24-hour window sends an approved template with its variables: Twilio receives ContentSid and ContentVariables as JSON', async () => {
    const ticket = await customerWrites(t, acme, '+5511970001001');
    await windowClosed(ticket);
    const answer = await reply(t, ticket, { contentSid: approved, contentVariables: { '1': 'Ana', '2': '#2001' } });
    expect(answer.status).toBe(202);
    await messageBecomes(t, answer.body.id, (m) => m.status === 'sent');
    const [call] = sendsTo(t, ticket.contact);
    expect(call).toMatchObject({ contentSid: approved, body: null });
    expect(JSON.parse(call!.contentVariables!)).toEqual({ '1': 'Ana', '2': '#2001' });

    // A template without variables goes out with none.
    const plain = await reply(t, ticket, { contentSid: noVariables });
    expect(plain.status).toBe(202);
  });

  it('outside the window refuses a pending or rejected template with 409 naming why, queueing nothing', async () => {
    const ticket = await customerWrites(t, acme, '+5511970001002');
    await windowClosed(ticket);
    const before = await messagesOf(ticket);

    const notYet = await reply(t, ticket, { contentSid: pending, contentVariables: { '1': 'Ana' } });
    expect(notYet.status).toBe(409);
    expect(notYet.body.error.code).toBe('TEMPLATE.NOT_APPROVED');
    expect(notYet.body.error.message).toContain('"spring_sale"');
    expect(notYet.body.error.message).toContain('status pending');

    const refused = await reply(t, ticket, { contentSid: rejected, contentVariables: { '1': 'Ana' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('rejected by WhatsApp: INVALID_FORMAT: a button needs an example');

    expect(await messagesOf(ticket)).toBe(before);
    expect(sendsTo(t, ticket.contact)).toHaveLength(0);
    expect(await db().collection('delivery_queue').countDocuments({ ticketId: ticket.ticketId })).toBe(0);
  });

  it('inside the window a pending template may be sent (a session message)', async () => {
    const ticket = await customerWrites(t, acme, '+5511970001003');
    const answer = await reply(t, ticket, { contentSid: pending, contentVariables: { '1': 'Ana' } });
    expect(answer.status).toBe(202);
    await messageBecomes(t, answer.body.id, (m) => m.status === 'sent');
  });

  it('refuses a missing or blank variable (400 naming it), an unknown variable and an unknown template, queueing nothing', async () => {
    const ticket = await customerWrites(t, acme, '+5511970001004');
    await windowClosed(ticket);
    const before = await messagesOf(ticket);

    const missing = await reply(t, ticket, { contentSid: approved, contentVariables: { '1': 'Ana' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('TEMPLATE.MISSING_VARIABLE');
    expect(missing.body.error.message).toContain('"2"');
    expect(missing.body.error.details).toEqual([{ field: 'contentVariables.2', issue: 'is required by the template (e.g. "#1042")' }]);

    const none = await reply(t, ticket, { contentSid: approved });
    expect(none.status).toBe(400);
    expect(none.body.error.details.map((d: { field: string }) => d.field)).toEqual(['contentVariables.1', 'contentVariables.2']);

    const blank = await reply(t, ticket, { contentSid: approved, contentVariables: { '1': 'Ana', '2': '  ' } });
    expect(blank.status).toBe(400);
    expect(blank.body.error.code).toBe('TEMPLATE.MISSING_VARIABLE');

    const extra = await reply(t, ticket, { contentSid: approved, contentVariables: { '1': 'Ana', '2': '#1', '3': 'x' } });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('TEMPLATE.UNKNOWN_VARIABLE');
    expect(extra.body.error.message).toContain('"3"');

    const unknown = await reply(t, ticket, { contentSid: `HX${'0f'.repeat(16)}`, contentVariables: { '1': 'Ana' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('TEMPLATE.NOT_FOUND');

    expect(await messagesOf(ticket)).toBe(before);
    expect(sendsTo(t, ticket.contact)).toHaveLength(0);
  });

  it('a template approved since the catalogue was cached is sent: a refusal asks Twilio once more first', async () => {
    const ticket = await customerWrites(t, acme, '+5511970001005');
    await windowClosed(ticket);
    const later = t.emulator.state.addContent(acme.accountSid, {
      friendlyName: 'approved_later',
      variables: { '1': 'Ana' },
      types: { 'twilio/text': { body: 'Hi {{1}}' } },
      approvalStatus: 'pending',
    });
    await listTemplates(acme.integrationId, { query: '?refresh=true' });
    expect((await reply(t, ticket, { contentSid: later.sid, contentVariables: { '1': 'Ana' } })).status).toBe(409);

    t.emulator.state.setContentApproval(later.sid, 'approved');
    const answer = await reply(t, ticket, { contentSid: later.sid, contentVariables: { '1': 'Ana' } });
    expect(answer.status).toBe(202);
    await messageBecomes(t, answer.body.id, (m) => m.status === 'sent');
    expect(sendsTo(t, ticket.contact).map((c) => c.contentSid)).toEqual([later.sid]);
  });

  it("queues nothing when Twilio's Content API cannot be asked (503)", async () => {
    const ticket = await customerWrites(t, acme, '+5511970001006');
    const other = await connectExistingNumber(t, 'acme', '+14155553102');
    const otherTicket = await customerWrites(t, other, '+5511970001007');
    const down = t.emulator.faults.inject({ endpoint: 'content-and-approvals.list', accountSid: other.accountSid, status: 500 });
    try {
      const answer = await reply(t, otherTicket, { contentSid: approved, contentVariables: { '1': 'Ana', '2': '#1' } });
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe('TEMPLATE.CATALOGUE_UNAVAILABLE');
      expect(await messagesOf(otherTicket)).toBe(0);
    } finally {
      down.remove();
    }
    // One account's templates are not another's: acme's template is unknown to the other number's account.
    const foreign = await reply(t, otherTicket, { contentSid: approved, contentVariables: { '1': 'Ana', '2': '#1' } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('TEMPLATE.NOT_FOUND');
    expect(await messagesOf(ticket)).toBe(0);
  });
});
