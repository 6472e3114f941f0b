import { findUnrecordedSend } from '../../../src/application/delivery/delivery-reconciliation';
import { TwilioGateway, TwilioGatewayError } from '../../../src/application/ports/twilio-gateway.port';
import { Message } from '../../../src/domain/message/message';
import { MessageRepository } from '../../../src/domain/message/message.repository';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const ACCOUNT = { accountSid: 'AC1', authToken: 'token' };
const sid = (n: number) => `SM${String(n).padStart(32, '0')}`;

function sending(input: { body?: string; template?: boolean } = {}): Message {
  const message = Message.queueOutbound({
    id: 'm-1', companyId: 'acme', ticketId: 't-1', integrationId: 'i-1', senderUserId: 'u',
    ...(input.template ? { template: { contentSid: `HX${'0'.repeat(32)}`, contentVariables: { '1': 'Ana' } } } : { body: input.body ?? 'Olá' }),
    now: T0,
  });
  message.startSending(T0);
  return message;
}

type Listed = Awaited<ReturnType<TwilioGateway['listMessages']>>[number];
const listed = (n: number, body: string | null, status = 'queued', at = T0): Listed => ({ sid: sid(n), status, dateCreated: at, to: '+5511', from: '+1415', body });

function gateway(messages: Listed[], fetched?: { status: string; errorCode: number | null } | 'missing') {
  const calls: { sentAfter?: Date } = {};
  const twilio = {
    listMessages: async (_: unknown, lookup: { sentAfter: Date }) => {
      calls.sentAfter = lookup.sentAfter;
      return messages;
    },
    fetchMessage: async (_: unknown, messageSid: string) => {
      if (fetched === 'missing' || fetched === undefined) throw new TwilioGatewayError('not_found', 20404, 404, 'not found');
      return { sid: messageSid, dateCreated: T0, ...fetched };
    },
  } as unknown as TwilioGateway;
  return { twilio, calls };
}

const noOtherHolders = { findByTwilioSid: async () => null } as unknown as MessageRepository;
const lookup = (message: Message, twilio: TwilioGateway, messages: MessageRepository = noOtherHolders) =>
  findUnrecordedSend({ twilio, messages, account: ACCOUNT, message, from: '+1415', to: '+5511', skewMs: 5000 });

describe('reconciling an attempt whose answer was never stored', () => {
  it('finds the send with the same body created since the attempt started (minus the skew margin)', async () => {
    const { twilio, calls } = gateway([listed(2, 'Outra coisa'), listed(1, 'Olá', 'sent')]);
    expect(await lookup(sending(), twilio)).toEqual({ sid: sid(1), status: 'sent', errorCode: null });
    expect(calls.sentAfter).toEqual(new Date(T0.getTime() - 5000));
  });

  it('ignores sends whose SID another message of ours holds, and failed ones', async () => {
    const holders = { findByTwilioSid: async (_: string, s: string) => (s === sid(1) ? ({ id: 'm-other' } as Message) : null) } as unknown as MessageRepository;
    const { twilio } = gateway([listed(1, 'Olá'), listed(3, 'Olá', 'failed'), listed(4, 'Olá', 'delivered', new Date(T0.getTime() + 10))]);
    expect(await lookup(sending(), twilio, holders)).toEqual({ sid: sid(4), status: 'delivered', errorCode: null });
  });

  it('answers null when Twilio has no such send (safe to send again)', async () => {
    const { twilio } = gateway([listed(1, 'Olá de novo')]);
    expect(await lookup(sending(), twilio)).toBeNull();
  });

  it('matches a template send by sender, contact and time (Twilio renders its body)', async () => {
    const { twilio } = gateway([listed(5, 'Hello Ana, your order shipped')]);
    expect(await lookup(sending({ template: true }), twilio)).toMatchObject({ sid: sid(5) });
  });

  it('looks a stored SID up directly, and treats 404 as "not sent"', async () => {
    const withSid = Message.restore({ ...sending().toSnapshot(), twilioSid: sid(9) });
    expect(await lookup(withSid, gateway([], { status: 'undelivered', errorCode: 30003 }).twilio)).toEqual({ sid: sid(9), status: 'undelivered', errorCode: 30003 });
    expect(await lookup(withSid, gateway([], 'missing').twilio)).toBeNull();
  });
});
