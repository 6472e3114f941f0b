import { connectExistingNumber, customerWrites, eventually, reply, sendsTo, startOutboundService, ConnectedNumber, TestService } from './outbound-support';

jest.setTimeout(90_000);

let t: TestService;
let acme: ConnectedNumber;

beforeAll(async () => {
  t = await startOutboundService({ emulator: { failMarker: '#fail', messageLifecycle: { stepDelayMs: 40 } } });
  acme = await connectExistingNumber(t, 'acme', '+14155554101');
});
afterAll(async () => {
  await t.service.connection.db!.dropDatabase();
  await t.close();
});

const authorized = (path: string) => t.http.get(path).set('Authorization', `Bearer ${t.token('acme', 'agent')}`);
const paragraph = (tag: string) => `${tag} ${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(22)}`.slice(0, 1247) + '.';
const replyOf = async (ticketId: string, id: string) => {
  const page = await authorized(`/tickets/${ticketId}/messages`);
  return (page.body.items as Array<Record<string, unknown>>).find((item) => item.id === id);
};

describe('a long reply', () => {
  it('goes out as 4 messages in order, is one reply with its slowest part\'s status, and a retry resends the failed part only', async () => {
    const ticket = await customerWrites(t, acme, '+5511961000001');
    // Part 3 carries the emulator's fail marker: Twilio accepts it, then reports it undelivered (30008), once.
    const parts = [paragraph('One'), paragraph('Two'), paragraph('Three #fail'), paragraph('Four')];
    const body = parts.join('\n\n').padEnd(5000, '!');
    expect(body).toHaveLength(5000);
    const expected = [...parts.slice(0, 3), body.slice(body.indexOf('Four'))];

    const answer = await reply(t, ticket, { body });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'queued', body: expected.join('\n\n') });
    expect(answer.body.parts.map((part: { body: string; status: string; part: number }) => [part.part, part.body, part.status])).toEqual(
      expected.map((text, index) => [index + 1, text, 'queued']),
    );
    const replyId = answer.body.id as string;
    expect(answer.body.parts[0].id).toBe(replyId);

    // Sent in order, each once; the reply shows `undelivered` (part 3), the others got delivered.
    await eventually(async () => (sendsTo(t, ticket.contact).length >= 4 ? true : undefined), 30_000);
    expect(sendsTo(t, ticket.contact).map((send) => send.body)).toEqual(expected);
    const failedReply = await eventually(async () => {
      const item = await replyOf(ticket.ticketId, replyId);
      const statuses = (item?.parts as Array<{ status: string }> | undefined)?.map((part) => part.status);
      return statuses?.join() === 'delivered,delivered,undelivered,delivered' ? item : undefined;
    }, 30_000);
    expect(failedReply).toMatchObject({ status: 'undelivered', error: { code: 30008 } });
    const page = await authorized(`/tickets/${ticket.ticketId}/messages`);
    expect((page.body.items as Array<{ direction: string }>).map((item) => item.direction)).toEqual(['inbound', 'outbound']);

    const retried = await t.http.post(`/ticket-messages/${replyId}/retry`).set('Authorization', `Bearer ${t.token('acme', 'agent')}`);
    expect(retried.status).toBe(202);
    expect(retried.body.parts.map((part: { status: string }) => part.status)).toEqual(['delivered', 'delivered', 'queued', 'delivered']);
    expect(retried.body.status).toBe('queued');

    const delivered = await eventually(async () => {
      const item = await replyOf(ticket.ticketId, replyId);
      return item?.status === 'delivered' ? item : undefined;
    }, 30_000);
    expect(delivered).toMatchObject({ status: 'delivered', error: null });
    // The emulator saw part 3 twice and every other part once: the retry resent part 3 only.
    const bodies = sendsTo(t, ticket.contact).map((send) => send.body);
    expect(bodies).toEqual([...expected, expected[2]]);
  });

  it('refuses up front a reply that would take more than 10 messages, storing nothing', async () => {
    const ticket = await customerWrites(t, acme, '+5511961000002');
    const before = await t.service.connection.db!.collection('messages').countDocuments({ ticketId: ticket.ticketId });
    const body = Array.from({ length: 11 }, (_, index) => paragraph(`P${index}`)).join('\n\n');
    const refused = await reply(t, ticket, { body });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/11 WhatsApp messages .*at most 10/);
    expect(await t.service.connection.db!.collection('messages').countDocuments({ ticketId: ticket.ticketId })).toBe(before);
    expect(sendsTo(t, ticket.contact)).toHaveLength(0);
  });
});
