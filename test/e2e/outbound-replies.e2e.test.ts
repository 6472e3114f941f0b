import { connectExistingNumber, customerWrites, eventually, messageBecomes, reply, sendsTo, startOutboundService, storedMessage, ConnectedNumber, OpenTicket, TestService } from './outbound-support';

jest.setTimeout(60_000);

let t: TestService;
let acme: ConnectedNumber;
const db = () => t.service.connection.db!;
const HOUR = 60 * 60 * 1000;
const TEMPLATE_SID = `HX${'a1'.repeat(16)}`;

beforeAll(async () => {
  t = await startOutboundService();
  acme = await connectExistingNumber(t, 'acme', '+14155553001');
  // A template send is checked against the account's Content templates before it is queued.
  t.emulator.state.addContent(acme.accountSid, {
    sid: TEMPLATE_SID,
    friendlyName: 'appointment_reminder',
    variables: { '1': 'Ana', '2': '12/1' },
    types: { 'twilio/text': { body: 'Olá {{1}}, a sua consulta é em {{2}}.' } },
  });
});
afterAll(async () => {
  await db().dropDatabase();
  await t.close();
});

/** Moves the customer's last message `hoursAgo` into the past (the 24 h window is measured from it). */
async function lastInboundHoursAgo(ticket: OpenTicket, hoursAgo: number): Promise<void> {
  await db().collection('tickets').updateOne({ _id: ticket.ticketId as never }, { $set: { lastInboundAt: new Date(Date.now() - hoursAgo * HOUR) } });
}

describe('POST /tickets/:id/messages', () => {
  it('answers 202 with the queued message, sends it through Twilio and follows the status callbacks', async () => {
    const ticket = await customerWrites(t, acme, '+5511970000001');
    const answer = await reply(t, ticket, { body: 'Olá Ana, como posso ajudar?' });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ ticketId: ticket.ticketId, direction: 'outbound', status: 'queued', body: 'Olá Ana, como posso ajudar?', attempts: 0, senderUserId: 'agent-ana', twilioSid: null });

    const sent = await messageBecomes(t, answer.body.id, (m) => m.status === 'sent');
    expect(sent).toMatchObject({ attempts: 1, error: null });
    // Delivery is over: the message leaves the delivery queue.
    await eventually(async () => ((await db().collection('delivery_queue').findOne({ _id: answer.body.id as never })) === null ? true : undefined), 5_000);
    const [call] = sendsTo(t, ticket.contact);
    expect(call).toMatchObject({ from: `whatsapp:${acme.number}`, to: `whatsapp:${ticket.contact}`, body: 'Olá Ana, como posso ajudar?', sid: sent.twilioSid });
    expect(call!.statusCallback).toMatch(new RegExp(`/ticket-messages/status\\?messageId=${answer.body.id}&attempt=\\d+$`));
    expect(await db().collection('tickets').findOne({ _id: ticket.ticketId as never })).toMatchObject({ lastMessage: { preview: 'Olá Ana, como posso ajudar?', direction: 'outbound' } });

    // Twilio's own status callbacks, signed, to our endpoint.
    await t.emulator.advanceMessage(String(sent.twilioSid), 'delivered');
    await messageBecomes(t, answer.body.id, (m) => m.status === 'delivered');
    await t.emulator.advanceMessage(String(sent.twilioSid), 'read');
    await messageBecomes(t, answer.body.id, (m) => m.status === 'read');
  });

  it('refuses a free-form reply outside the 24-hour window with 422 and sends nothing; a template goes out', async () => {
    const ticket = await customerWrites(t, acme, '+5511970000002');
    await lastInboundHoursAgo(ticket, 25);
    const before = await db().collection('messages').countDocuments({ ticketId: ticket.ticketId });

    const refused = await reply(t, ticket, { body: 'Ainda precisa de ajuda?' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('MESSAGE.OUTSIDE_CUSTOMER_SERVICE_WINDOW');
    expect(await db().collection('messages').countDocuments({ ticketId: ticket.ticketId })).toBe(before);

    const template = await reply(t, ticket, { contentSid: TEMPLATE_SID, contentVariables: { '1': 'Ana', '2': '12/1' } });
    expect(template.status).toBe(202);
    expect(template.body.template).toEqual({ contentSid: TEMPLATE_SID, contentVariables: { '1': 'Ana', '2': '12/1' } });
    await messageBecomes(t, template.body.id, (m) => m.status === 'sent');
    const calls = sendsTo(t, ticket.contact);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ contentSid: TEMPLATE_SID, body: null });
    expect(JSON.parse(calls[0]!.contentVariables!)).toEqual({ '1': 'Ana', '2': '12/1' });
  });

  it('accepts contentVariables as JSON text and free-form text just inside the window', async () => {
    const ticket = await customerWrites(t, acme, '+5511970000003');
    await lastInboundHoursAgo(ticket, 23.9);
    expect((await reply(t, ticket, { body: 'Ainda dá tempo' })).status).toBe(202);
    const asText = await reply(t, ticket, { contentSid: TEMPLATE_SID, contentVariables: '{"1":"Ana","2":"12/1"}' });
    expect(asText.status).toBe(202);
    expect(asText.body.template.contentVariables).toEqual({ '1': 'Ana', '2': '12/1' });
  });

  it('refuses bad input with 400 and field details, writing nothing', async () => {
    const ticket = await customerWrites(t, acme, '+5511970000004');
    const before = await db().collection('messages').countDocuments({});
    const cases: unknown[] = [
      {},
      { body: '' },
      { body: '   ' },
      { body: 'x'.repeat(16_001) },
      { body: 'hi', contentSid: TEMPLATE_SID },
      { contentSid: 'HX123' },
      { contentSid: TEMPLATE_SID, contentVariables: { '1': 2 } },
      { contentSid: TEMPLATE_SID, contentVariables: '[1,2]' },
      { contentSid: TEMPLATE_SID, contentVariables: 'not json' },
      { body: 'hi', extra: true },
    ];
    for (const body of cases) {
      const answer = await reply(t, ticket, body as Record<string, unknown>);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body.error.code).toBe('VALIDATION.INVALID_REQUEST');
      expect(answer.body.error.details.length).toBeGreaterThan(0);
    }
    expect(await db().collection('messages').countDocuments({})).toBe(before);
  });

  it('sends a body up to Twilio\'s 1600-character limit as one message, and a longer one as several (never one Twilio would refuse)', async () => {
    const ticket = await customerWrites(t, acme, '+5511970000007');
    const longest = await reply(t, ticket, { body: 'x'.repeat(1600) });
    expect(longest.status).toBe(202);
    await messageBecomes(t, longest.body.id, (m) => m.status === 'sent');
    expect(sendsTo(t, ticket.contact).map((call) => call.body?.length)).toEqual([1600]);
    const longer = await reply(t, ticket, { body: 'y'.repeat(1601) });
    expect(longer.status).toBe(202);
    expect(longer.body.parts.map((part: { body: string }) => part.body.length)).toEqual([1600, 1]);
    await messageBecomes(t, `${longer.body.id}-02`, (m) => m.status === 'sent');
    expect(sendsTo(t, ticket.contact).map((call) => call.body?.length)).toEqual([1600, 1600, 1]);
  });

  it('answers 404 for another company\'s ticket or an unknown one, 401 without a token, and lets admins reply', async () => {
    const ticket = await customerWrites(t, acme, '+5511970000005');
    const foreign = await t.http.post(`/tickets/${ticket.ticketId}/messages`).set('Authorization', `Bearer ${t.token('globex', 'agent')}`).send({ body: 'hi' });
    expect(foreign.status).toBe(404);
    expect((await t.http.post('/tickets/000000000000000000000000/messages').set('Authorization', `Bearer ${t.token('acme', 'agent')}`).send({ body: 'hi' })).status).toBe(404);
    expect((await t.http.post(`/tickets/${ticket.ticketId}/messages`).send({ body: 'hi' })).status).toBe(401);
    const byAdmin = await t.http.post(`/tickets/${ticket.ticketId}/messages`).set('Authorization', `Bearer ${t.token('acme', 'admin', 'boss')}`).send({ body: 'hi' });
    expect(byAdmin.status).toBe(202);
    expect(byAdmin.body.senderUserId).toBe('boss');
  });

  it('refuses replies while the integration is not active (409 with the reason), to an opted-out contact (422) and on a closed ticket (409)', async () => {
    const other = await connectExistingNumber(t, 'acme', '+14155553002');
    const ticket = await customerWrites(t, other, '+5511970000006');
    const admin = `Bearer ${t.token('acme', 'admin')}`;
    expect((await t.http.patch(`/integrations/${other.integrationId}`).set('Authorization', admin).send({ status: 'inactive' })).status).toBe(200);
    const inactive = await reply(t, ticket, { body: 'hi' });
    expect(inactive.status).toBe(409);
    expect(inactive.body.error).toMatchObject({ code: 'MESSAGE.INTEGRATION_NOT_ACTIVE' });
    expect(inactive.body.error.message).toMatch(/inactive/);
    expect((await t.http.patch(`/integrations/${other.integrationId}`).set('Authorization', admin).send({ status: 'active' })).status).toBe(200);

    await db().collection('tickets').updateOne({ _id: ticket.ticketId as never }, { $set: { 'contact.optedOut': true } });
    const optedOut = await reply(t, ticket, { body: 'hi' });
    expect(optedOut.status).toBe(422);
    expect(optedOut.body.error.code).toBe('MESSAGE.CONTACT_OPTED_OUT');

    await db().collection('tickets').updateOne({ _id: ticket.ticketId as never }, { $set: { 'contact.optedOut': false, status: 'closed' } });
    const closed = await reply(t, ticket, { body: 'hi' });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('TICKET.CLOSED');
    expect(await db().collection('messages').countDocuments({ ticketId: ticket.ticketId, direction: 'outbound' })).toBe(0);
    expect(await storedMessage(t, 'nothing')).toBeNull();
  });
});
