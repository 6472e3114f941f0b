import { InboundFilingProcess } from '../../../../src/application/message/inbound-inbox/inbound-filing.process';
import { ReceiveMessageCommand } from '../../../../src/application/message/receive-message/receive-message.command';
import { ReceiveMessageHandler } from '../../../../src/application/message/receive-message/receive-message.handler';
import { AcceptedInboundMessage, InboundInbox } from '../../../../src/application/ports/inbound-inbox.port';

function entry(messageId: string, acceptedAt: Date): AcceptedInboundMessage {
  return {
    messageId,
    companyId: 'acme',
    integrationId: 'i-1',
    acceptedAt,
    message: { messageSid: `SM${messageId}`, from: '+5511999990000', body: 'hi', media: [], profileName: null, waId: null, extras: null },
  };
}

describe('inbound filing', () => {
  it('files what this instance accepted as a first attempt, and what the sweep finds as recovering; removes each entry once filed', async () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const waiting = [entry('left-by-a-crash', new Date(now.getTime() - 60_000))];
    const removed: string[] = [];
    const inbox: InboundInbox = {
      accept: async () => true,
      listUnfiled: async (before) => waiting.filter((e) => e.acceptedAt < before),
      remove: async (id) => void removed.push(id),
    };
    const filed: { id: string; recovering: boolean }[] = [];
    const receive = {
      execute: async (command: ReceiveMessageCommand) => {
        filed.push({ id: command.entry.messageId, recovering: command.recovering });
        return { companyId: 'acme', ticketId: 't', messageId: command.entry.messageId, replay: false };
      },
    } as unknown as ReceiveMessageHandler;
    const process = new InboundFilingProcess(receive, inbox, { now: () => now }, { concurrency: 2, unfiledAfterMs: 5_000, sweepBatch: 10 }, (e) => {
      throw e;
    });

    process.file(entry('just-accepted', now));
    expect(await process.sweep()).toBe(1);
    await process.idle();
    expect(filed).toEqual([
      { id: 'just-accepted', recovering: false },
      { id: 'left-by-a-crash', recovering: true },
    ]);
    expect(removed.sort()).toEqual(['just-accepted', 'left-by-a-crash']);
  });
});
