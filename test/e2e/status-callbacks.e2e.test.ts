import { TOKENS } from '../../src/application/ports/tokens';
import { IdGenerator } from '../../src/application/ports/clock.port';
import { Message } from '../../src/domain/message/message';
import { MessageRepository } from '../../src/domain/message/message.repository';
import { Ticket } from '../../src/domain/ticket/ticket';
import { TicketRepository } from '../../src/domain/ticket/ticket.repository';
import { startTestService, TestService } from '../support/e2e/test-service';
import { ConnectedNumber, connectExistingNumber, postSigned } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

let t: TestService;
let acme: ConnectedNumber;
let globex: ConnectedNumber;
beforeAll(async () => {
  t = await startTestService();
  acme = await connectExistingNumber(t, 'acme', '+14155554001');
  globex = await connectExistingNumber(t, 'globex', '+14155554002');
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

const repos = () => ({
  tickets: t.service.container.get<TicketRepository>(TOKENS.TicketRepository),
  messages: t.service.container.get<MessageRepository>(TOKENS.MessageRepository),
  ids: t.service.container.get<IdGenerator>(TOKENS.IdGenerator),
});
let sidCounter = 0;
const newSid = () => `SM${(++sidCounter).toString(16).padStart(32, '0')}`;

/** An agent's reply on a fresh ticket; `accepted` stores Twilio's SID as the worker would. */
async function outboundMessage(on: ConnectedNumber, contact: string, accepted: boolean) {
  const { tickets, messages, ids } = repos();
  const now = new Date();
  const ticket = Ticket.open({ id: ids.newId(), companyId: on.companyId, integrationId: on.integrationId, contactNumber: contact, now });
  await tickets.save(ticket);
  const message = Message.queueOutbound({ id: ids.newId(), companyId: on.companyId, ticketId: ticket.id, integrationId: on.integrationId, senderUserId: 'agent-7', body: 'Olá!', now });
  message.startSending(now);
  const sid = newSid();
  if (accepted) message.recordAccepted(sid, now);
  await messages.save(message);
  return { ticket, message, sid, contact };
}

function callback(on: ConnectedNumber, sid: string, contact: string, status: string, errorCode?: number): Record<string, string> {
  // The parameters Twilio posts to a WhatsApp StatusCallback.
  return {
    AccountSid: on.accountSid,
    ApiVersion: '2010-04-01',
    ChannelPrefix: 'whatsapp',
    ChannelToAddress: contact,
    From: `whatsapp:${on.number}`,
    To: `whatsapp:${contact}`,
    MessageSid: sid,
    SmsSid: sid,
    MessageStatus: status,
    SmsStatus: status,
    ...(errorCode === undefined ? {} : { ErrorCode: String(errorCode), ErrorMessage: '' }),
  };
}

const statusPath = (messageId?: string) => `/ticket-messages/status${messageId ? `?messageId=${messageId}` : ''}`;
const stored = (companyId: string, id: string) => repos().messages.findById(companyId, id);

describe('status callbacks', () => {
  it('move a message forward only: a late or repeated report never moves it back', async () => {
    const { message, sid, contact } = await outboundMessage(acme, '+5511960000001', true);
    for (const status of ['delivered', 'sent', 'delivered', 'read', 'sent', 'delivered']) {
      const answer = await postSigned(t, statusPath(message.id), callback(acme, sid, contact, status), { authToken: acme.authToken });
      expect(answer.status).toBe(200);
    }
    expect((await stored('acme', message.id))!.status).toBe('read');
  });

  it('find the message by Twilio SID when the URL carries no messageId', async () => {
    const { message, sid, contact } = await outboundMessage(acme, '+5511960000002', true);
    expect((await postSigned(t, statusPath(), callback(acme, sid, contact, 'delivered'), { authToken: acme.authToken })).status).toBe(200);
    expect((await stored('acme', message.id))!.status).toBe('delivered');
  });

  it('a callback that arrives before the REST answer was stored records the SID', async () => {
    const { message, sid, contact } = await outboundMessage(acme, '+5511960000003', false);
    expect((await postSigned(t, statusPath(message.id), callback(acme, sid, contact, 'delivered'), { authToken: acme.authToken })).status).toBe(200);
    const after = (await stored('acme', message.id))!;
    expect(after.twilioSid).toBe(sid);
    expect(after.status).toBe('delivered');
  });

  it('a late callback of an earlier send (before a retry) does not attach its SID to the new send', async () => {
    const { message, sid, contact } = await outboundMessage(acme, '+5511960000009', false);
    const thisSend = String(message.toSnapshot().lastAttemptAt!.getTime());
    const stale = await postSigned(t, `${statusPath(message.id)}&attempt=${Number(thisSend) - 60_000}`, callback(acme, newSid(), contact, 'delivered'), { authToken: acme.authToken });
    expect(stale.status).toBe(200);
    expect((await stored('acme', message.id))!.twilioSid).toBeNull();
    await postSigned(t, `${statusPath(message.id)}&attempt=${thisSend}`, callback(acme, sid, contact, 'sent'), { authToken: acme.authToken });
    expect((await stored('acme', message.id))!.toSnapshot()).toMatchObject({ twilioSid: sid, status: 'sent' });
  });

  it('a failure records the code with our readable text and notifies the sending agent', async () => {
    const { message, sid, contact } = await outboundMessage(acme, '+5511960000004', true);
    expect((await postSigned(t, statusPath(message.id), callback(acme, sid, contact, 'undelivered', 30008), { authToken: acme.authToken })).status).toBe(200);
    const after = (await stored('acme', message.id))!.toSnapshot();
    expect(after.status).toBe('undelivered');
    expect(after.error).toEqual({ code: 30008, message: expect.stringMatching(/could not be delivered/i) });
    const notes = await t.http.get('/notifications').set('Authorization', `Bearer ${t.token('acme', 'agent', 'agent-7')}`);
    expect(notes.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'message_failed', subjectId: message.id })]));
    // A later `delivered` does not resurrect it; repeating the failure notifies no one again.
    await postSigned(t, statusPath(message.id), callback(acme, sid, contact, 'delivered'), { authToken: acme.authToken });
    await postSigned(t, statusPath(message.id), callback(acme, sid, contact, 'undelivered', 30008), { authToken: acme.authToken });
    expect((await stored('acme', message.id))!.status).toBe('undelivered');
    const again = await t.http.get('/notifications').set('Authorization', `Bearer ${t.token('acme', 'agent', 'agent-7')}`);
    expect(again.body.items.filter((n: { subjectId: string }) => n.subjectId === message.id)).toHaveLength(1);
  });

  it('21610 marks the contact opted out', async () => {
    const { message, ticket, sid, contact } = await outboundMessage(acme, '+5511960000005', true);
    await postSigned(t, statusPath(message.id), callback(acme, sid, contact, 'failed', 21610), { authToken: acme.authToken });
    expect((await repos().tickets.findById('acme', ticket.id))!.contact.optedOut).toBe(true);
    expect((await stored('acme', message.id))!.toSnapshot().error).toEqual({ code: 21610, message: expect.stringMatching(/opted out/i) });
  });

  it('never touches a message of another integration, even when its id is in the URL', async () => {
    const { message, sid, contact } = await outboundMessage(acme, '+5511960000006', true);
    const answer = await postSigned(t, statusPath(message.id), callback(globex, sid, contact, 'failed', 30003), { authToken: globex.authToken });
    expect(answer.status).toBe(200);
    expect((await stored('acme', message.id))!.status).toBe('sent');
  });

  it('refuses a bad signature (403) and an unknown sender number (404), changing nothing', async () => {
    const { message, sid, contact } = await outboundMessage(acme, '+5511960000007', true);
    expect((await postSigned(t, statusPath(message.id), callback(acme, sid, contact, 'read'), { authToken: globex.authToken })).status).toBe(403);
    const unknown = { ...callback(acme, sid, contact, 'read'), From: 'whatsapp:+14155559998' };
    expect((await postSigned(t, statusPath(message.id), unknown, { authToken: acme.authToken })).status).toBe(404);
    expect((await postSigned(t, statusPath(message.id), { ...callback(acme, sid, contact, 'read'), ErrorCode: 'x' }, { authToken: acme.authToken })).status).toBe(400);
    expect((await stored('acme', message.id))!.status).toBe('sent');
  });

  it('acknowledges statuses it does not track and unknown messages', async () => {
    const { message, sid, contact } = await outboundMessage(acme, '+5511960000008', true);
    expect((await postSigned(t, statusPath(message.id), callback(acme, sid, contact, 'queued'), { authToken: acme.authToken })).status).toBe(200);
    expect((await postSigned(t, statusPath(), callback(acme, newSid(), contact, 'delivered'), { authToken: acme.authToken })).status).toBe(200);
    expect((await stored('acme', message.id))!.status).toBe('sent');
  });
});
