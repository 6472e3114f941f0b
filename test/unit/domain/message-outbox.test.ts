import { Message } from '../../../src/domain/message/message';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function queued(): Message {
  return Message.queueOutbound({ id: 'm-1', companyId: 'acme', ticketId: 't-1', integrationId: 'i-1', senderUserId: 'u', body: 'Olá', now: T0 });
}

describe('outbound message delivery bookkeeping', () => {
  it('is due at once when accepted, and remembers when each attempt started', () => {
    const message = queued();
    expect(message.nextAttemptAt).toEqual(T0);
    message.startSending(at(10));
    expect(message.toSnapshot()).toMatchObject({ status: 'sending', attempts: 1, lastAttemptAt: at(10), nextAttemptAt: null });
  });

  it('a transient failure re-queues it for later with the error; acceptance then clears the error', () => {
    const message = queued();
    message.startSending(at(10));
    message.requeueAfterTransientFailure({ code: 20503, message: 'unavailable' }, at(20), at(1020));
    expect(message.toSnapshot()).toMatchObject({ status: 'queued', nextAttemptAt: at(1020), error: { code: 20503 } });
    message.startSending(at(1100));
    message.recordAccepted('SM1', at(1200));
    expect(message.toSnapshot()).toMatchObject({ status: 'sent', attempts: 2, error: null, twilioSid: 'SM1' });
  });

  it('an unconfirmed attempt goes back to the queue at once, keeping its attempt count', () => {
    const message = queued();
    message.startSending(at(10));
    message.pullDomainEvents();
    message.releaseUnconfirmedAttempt(at(5000));
    expect(message.toSnapshot()).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: at(5000) });
    expect(message.pullDomainEvents()).toEqual([expect.objectContaining({ name: 'message.status_changed', status: 'queued' })]);
    expect(() => message.releaseUnconfirmedAttempt(at(6000))).toThrow(/cannot go from queued/);
  });

  it('a retry is due at once', () => {
    const message = queued();
    message.startSending(at(10));
    message.recordDelivery('failed', at(20), { code: 21211, message: 'bad number' });
    message.retry(at(30));
    expect(message.toSnapshot()).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: at(30), error: null, twilioSid: null });
  });

  it('restores exactly from its snapshot', () => {
    const message = queued();
    message.startSending(at(10));
    expect(Message.restore(message.toSnapshot()).toSnapshot()).toEqual(message.toSnapshot());
  });
});
