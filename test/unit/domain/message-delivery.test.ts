import fc from 'fast-check';
import { Message } from '../../../src/domain/message/message';
import { OutboundStatus, isForwardMove } from '../../../src/domain/message/delivery-status';

const REPORTS: readonly OutboundStatus[] = ['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered'];
const PROGRESS: readonly OutboundStatus[] = ['queued', 'sending', 'sent', 'delivered', 'read'];

function outbound(): Message {
  return Message.queueOutbound({
    id: 'm-1',
    companyId: 'acme',
    ticketId: 't-1',
    integrationId: 'i-1',
    senderUserId: 'agent-1',
    body: 'Hello',
    now: new Date('2026-01-01T00:00:00Z'),
  });
}

describe('message delivery status', () => {
  it('never moves backwards, whatever order and repetition the reports arrive in', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...REPORTS), { maxLength: 25 }), (reports) => {
        const message = outbound();
        const seen: OutboundStatus[] = [message.status as OutboundStatus];
        for (const report of reports) {
          const before = message.status as OutboundStatus;
          const changed = message.recordDelivery(report, new Date());
          const after = message.status as OutboundStatus;
          expect(changed).toBe(isForwardMove(before, report));
          if (!changed) expect(after).toBe(before);
          seen.push(after);
        }
        // Along the path, the progress rank never decreases and nothing leaves a failure.
        for (let i = 1; i < seen.length; i++) {
          const previous = seen[i - 1]!;
          const current = seen[i]!;
          if (previous === 'failed' || previous === 'undelivered') expect(current).toBe(previous);
          else if (PROGRESS.includes(current)) expect(PROGRESS.indexOf(current)).toBeGreaterThanOrEqual(PROGRESS.indexOf(previous));
        }
      }),
    );
  });

  it('ends in the same state for any permutation of the same success reports', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...PROGRESS], { minLength: 1 }), fc.nat(), (reports, seed) => {
        const a = outbound();
        const b = outbound();
        reports.forEach((r) => a.recordDelivery(r, new Date(0)));
        const permuted = [...reports].sort((x, y) => ((x.charCodeAt(0) * 31 + seed) % 7) - ((y.charCodeAt(0) * 31 + seed) % 7));
        permuted.forEach((r) => b.recordDelivery(r, new Date(0)));
        expect(a.status).toBe(b.status);
        const highest = PROGRESS.filter((s) => reports.includes(s)).pop()!;
        expect(a.status).toBe(highest === 'queued' ? 'queued' : highest);
      }),
    );
  });

  it('a late `sent` never overwrites `delivered`, a late failure never overwrites `read`', () => {
    const message = outbound();
    message.recordDelivery('delivered', new Date());
    expect(message.recordDelivery('sent', new Date())).toBe(false);
    expect(message.status).toBe('delivered');
    message.recordDelivery('read', new Date());
    expect(message.recordDelivery('failed', new Date(), { code: 30008, message: 'Unknown error' })).toBe(false);
    expect(message.status).toBe('read');
  });

  it('a callback that beats the REST answer is not undone when the SID is stored', () => {
    const message = outbound();
    message.startSending(new Date());
    message.recordDelivery('delivered', new Date());
    message.recordAccepted('SM'.padEnd(34, '0'), new Date());
    expect(message.status).toBe('delivered');
    expect(message.twilioSid).toBe('SM'.padEnd(34, '0'));
  });

  it('retry is allowed only from a failure and resets the attempt budget', () => {
    const message = outbound();
    expect(() => message.retry(new Date())).toThrow(/only failed or undelivered/);
    message.startSending(new Date());
    message.recordDelivery('failed', new Date(), { code: 21211, message: 'invalid number' });
    expect(message.attempts).toBe(1);
    message.retry(new Date());
    expect(message.toSnapshot()).toMatchObject({ status: 'queued', attempts: 0, error: null });
  });

  it('refuses empty and oversized bodies', () => {
    const base = { id: 'm', companyId: 'acme', ticketId: 't', integrationId: 'i', senderUserId: 'u', now: new Date() };
    expect(() => Message.queueOutbound({ ...base, body: '   ' })).toThrow(/body/);
    expect(() => Message.queueOutbound({ ...base, body: 'x'.repeat(1601) })).toThrow(/at most 1600 characters \(Twilio's limit/);
    expect(Message.queueOutbound({ ...base, body: 'x'.repeat(1600) }).status).toBe('queued');
    expect(Message.queueOutbound({ ...base, template: { contentSid: 'HX1', contentVariables: {} } }).status).toBe('queued');
  });
});
