import { connectExistingNumber, customerWrites, eventually, messageBecomes, reply, sendsTo, startOutboundService, ConnectedNumber, TestService } from './outbound-support';

jest.setTimeout(60_000);

let t: TestService;
let acme: ConnectedNumber;
const db = () => t.service.connection.db!;

beforeAll(async () => {
  t = await startOutboundService({ env: { DELIVERY_MAX_ATTEMPTS: '4' } });
  acme = await connectExistingNumber(t, 'acme', '+14155554001');
});
afterAll(async () => {
  await db().dropDatabase();
  await t.close();
});
afterEach(() => t.emulator.faults.clear());

const notificationsOf = async (role: 'admin' | 'agent', userId: string) =>
  (await t.http.get('/notifications').set('Authorization', `Bearer ${t.token('acme', role, userId)}`)).body.items as Array<Record<string, unknown>>;
/**
 * The notifications of that user once one about `subjectId` is there: the worker notifies
 * right after it stores the failure, so a test that saw `failed` may ask a moment too early.
 */
const notifiedAbout = (role: 'admin' | 'agent', userId: string, subjectId: string) =>
  eventually(async () => {
    const notes = await notificationsOf(role, userId);
    return notes.some((note) => note.subjectId === subjectId) ? notes : undefined;
  }, 5_000);
const retry = (id: string, userId = 'agent-ana') => t.http.post(`/ticket-messages/${id}/retry`).set('Authorization', `Bearer ${t.token('acme', 'agent', userId)}`);
/** REST calls the emulator answered for sends to this contact's number (faulted ones included). */
const sendRequests = () => t.emulator.state.requests.filter((r) => r.endpoint === 'messages.create');

describe('delivery failures', () => {
  it('fails at once on a permanent error with its code, tells the agent, and a retry sends it', async () => {
    const ticket = await customerWrites(t, acme, '+5511960000001');
    t.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', status: 400, code: 21211, times: 1 });
    const answer = await reply(t, ticket, { body: 'Seu pedido saiu' }, 'agent-bia');
    const failed = await messageBecomes(t, answer.body.id, (m) => m.status === 'failed');
    expect(failed).toMatchObject({ attempts: 1, error: { code: 21211, message: 'The customer number is not a valid phone number' } });
    const notes = await notifiedAbout('agent', 'agent-bia', answer.body.id);
    expect(notes).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'message_failed', subjectId: answer.body.id })]));
    expect(await notificationsOf('agent', 'agent-someone-else')).not.toEqual(expect.arrayContaining([expect.objectContaining({ subjectId: answer.body.id })]));

    const queueEntry = () => db().collection('delivery_queue').findOne({ _id: answer.body.id as never });
    // A failed message leaves the queue (right after its failure is stored and announced).
    await eventually(async () => ((await queueEntry()) === null ? true : undefined), 5_000);

    const retried = await retry(answer.body.id);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: answer.body.id, status: 'queued', attempts: 0, error: null });
    const sent = await messageBecomes(t, answer.body.id, (m) => m.status === 'sent');
    expect(sent).toMatchObject({ attempts: 1, error: null });
    expect(sendsTo(t, ticket.contact)).toHaveLength(1);
    // Gone from the delivery queue (an entry re-checked by the retry after the send is dropped at the next poll).
    await eventually(async () => ((await queueEntry()) === null ? true : undefined), 5_000);

    const again = await retry(answer.body.id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('MESSAGE.NOT_RETRYABLE');
  });

  it('re-queues once under a double click and sends once', async () => {
    const ticket = await customerWrites(t, acme, '+5511960000002');
    t.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', status: 400, code: 21211, times: 1 });
    const answer = await reply(t, ticket, { body: 'Duplo clique' });
    await messageBecomes(t, answer.body.id, (m) => m.status === 'failed');
    const results = await Promise.all([retry(answer.body.id), retry(answer.body.id), retry(answer.body.id)]);
    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409]);
    await messageBecomes(t, answer.body.id, (m) => m.status === 'sent');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sendsTo(t, ticket.contact)).toHaveLength(1);
  });

  it('refuses to retry inbound, queued or unknown messages, and other companies\' messages', async () => {
    const ticket = await customerWrites(t, acme, '+5511960000003');
    const inbound = await db().collection('messages').findOne({ ticketId: ticket.ticketId, direction: 'inbound' });
    expect((await retry(String(inbound!._id))).status).toBe(409);
    expect((await retry('000000000000000000000000')).status).toBe(404);
    t.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', status: 400, code: 21211, times: 1 });
    const answer = await reply(t, ticket, { body: 'x' });
    await messageBecomes(t, answer.body.id, (m) => m.status === 'failed');
    const foreign = await t.http.post(`/ticket-messages/${answer.body.id}/retry`).set('Authorization', `Bearer ${t.token('globex', 'agent')}`);
    expect(foreign.status).toBe(404);
  });

  it('marks the contact opted out on 21610 and refuses further replies until they write again', async () => {
    const ticket = await customerWrites(t, acme, '+5511960000004');
    t.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', status: 400, code: 21610, times: 1 });
    const answer = await reply(t, ticket, { body: 'Promoção' });
    await messageBecomes(t, answer.body.id, (m) => m.status === 'failed' && (m.error as { code: number }).code === 21610);
    expect(await db().collection('tickets').findOne({ _id: ticket.ticketId as never })).toMatchObject({ contact: { optedOut: true } });
    const refused = await reply(t, ticket, { body: 'Olá?' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('MESSAGE.CONTACT_OPTED_OUT');
    await customerWrites(t, acme, ticket.contact, 'Oi de novo');
    expect((await reply(t, ticket, { body: 'Bem-vinda de volta' })).status).toBe(202);
  });

  it('retries transient 503s with backoff: sent after 3 attempts', async () => {
    const ticket = await customerWrites(t, acme, '+5511960000005');
    const fault = t.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', status: 503, times: 2 });
    const answer = await reply(t, ticket, { body: 'Tentando' });
    const sent = await messageBecomes(t, answer.body.id, (m) => m.status === 'sent');
    expect(fault.hits).toBe(2);
    expect(sent).toMatchObject({ attempts: 3, error: null });
    expect(sendsTo(t, ticket.contact)).toHaveLength(1);
  });

  it('gives up after the attempt limit on persistent transient errors', async () => {
    const ticket = await customerWrites(t, acme, '+5511960000006');
    t.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', status: 500 });
    const answer = await reply(t, ticket, { body: 'Nunca vai' }, 'agent-caio');
    const failed = await messageBecomes(t, answer.body.id, (m) => m.status === 'failed');
    expect(failed).toMatchObject({ attempts: 4, error: { code: 20500 } });
    expect(await notifiedAbout('agent', 'agent-caio', answer.body.id)).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'message_failed', subjectId: answer.body.id })]));
  });

  it('waits at least Retry-After after a 429', async () => {
    const ticket = await customerWrites(t, acme, '+5511960000007');
    t.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', status: 429, retryAfterSeconds: 1, times: 1 });
    const before = sendRequests().length;
    const answer = await reply(t, ticket, { body: 'Devagar' });
    const sent = await messageBecomes(t, answer.body.id, (m) => m.status === 'sent');
    expect(sent).toMatchObject({ attempts: 2 });
    const [limited, accepted] = sendRequests().slice(before).filter((r) => r.accountSid === acme.accountSid);
    expect(limited!.status).toBe(429);
    expect(accepted!.status).toBe(201);
    expect(accepted!.at - limited!.at).toBeGreaterThanOrEqual(1000);
  });

  it('keeps a ticket\'s messages in order across a transient retry', async () => {
    const ticket = await customerWrites(t, acme, '+5511960000008');
    t.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', bodyContains: 'first', status: 503, times: 2 });
    const ids: string[] = [];
    for (const body of ['first', 'second', 'third']) ids.push((await reply(t, ticket, { body })).body.id);
    for (const id of ids) await messageBecomes(t, id, (m) => m.status === 'sent');
    expect(sendsTo(t, ticket.contact).map((m) => m.body)).toEqual(['first', 'second', 'third']);
  });

  it('on an auth failure: message failed, integration error with the reason, admins notified, further replies refused', async () => {
    const broken = await connectExistingNumber(t, 'acme', '+14155554002');
    const ticket = await customerWrites(t, broken, '+5511960000009');
    t.emulator.faults.inject({ accountSid: broken.accountSid, endpoint: 'messages.create', status: 401, code: 20003 });
    const answer = await reply(t, ticket, { body: 'Credenciais' });
    const failed = await messageBecomes(t, answer.body.id, (m) => m.status === 'failed');
    expect(failed).toMatchObject({ error: { code: 20003 } });
    // Marked, and admins told, before the message's failure is stored: no waiting here.
    const integration = await db().collection('integrations').findOne({ _id: broken.integrationId as never });
    expect(integration).toMatchObject({ status: 'error' });
    expect(JSON.stringify(integration!.config)).toMatch(/20003/);
    const adminNotes = await notificationsOf('admin', 'boss');
    expect(adminNotes).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'integration_error', subjectId: broken.integrationId })]));
    const refused = await reply(t, ticket, { body: 'de novo' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('MESSAGE.INTEGRATION_NOT_ACTIVE');
    expect(t.logs()).not.toContain(broken.authToken);
  });
});
