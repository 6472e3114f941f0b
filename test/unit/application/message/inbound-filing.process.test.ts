import { InboundFilingProcess } from '../../../../src/application/message/inbound-inbox/inbound-filing.process';
import { ReceiveMessageCommand } from '../../../../src/application/message/receive-message/receive-message.command';
import { ReceiveMessageHandler } from '../../../../src/application/message/receive-message/receive-message.handler';
import { AcceptedInboundMessage } from '../../../../src/application/ports/inbound-inbox.port';
import { InMemoryInboundInbox } from '../../../support/in-memory/in-memory-inbound-inbox';

const NOW = new Date('2026-11-29T12:00:00Z');

function entry(messageId: string, acceptedAt = NOW, from = '+5511999990000'): AcceptedInboundMessage {
  return {
    messageId,
    companyId: 'acme',
    integrationId: 'i-1',
    acceptedAt,
    message: { messageSid: `SM${messageId}`, from, body: 'hi', media: [], profileName: null, waId: null, extras: null },
  };
}

/** A receive that records what it filed, each taking a few turns of the event loop (as a database would). */
function recordingReceive(filed: { id: string; recovering: boolean }[], fail: (id: string) => boolean = () => false): ReceiveMessageHandler {
  return {
    execute: async (command: ReceiveMessageCommand) => {
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      if (fail(command.entry.messageId)) throw new Error(`cannot file ${command.entry.messageId}`);
      filed.push({ id: command.entry.messageId, recovering: command.recovering });
      return { companyId: 'acme', ticketId: 't', messageId: command.entry.messageId, replay: false };
    },
  } as unknown as ReceiveMessageHandler;
}

function filingProcess(inbox: InMemoryInboundInbox, receive: ReceiveMessageHandler, errors: unknown[] = [], holder?: string): InboundFilingProcess {
  return new InboundFilingProcess(receive, inbox, { now: () => NOW }, { concurrency: 4, unfiledAfterMs: 5_000, sweepBatch: 10 }, (e) => errors.push(e), holder);
}

describe('inbound filing', () => {
  it('files what this instance accepted as a first attempt, and what the sweep finds as recovering; removes each entry once filed', async () => {
    const inbox = new InMemoryInboundInbox();
    await inbox.accept(entry('left-by-a-crash', new Date(NOW.getTime() - 60_000), '+5511000000001'));
    const fresh = entry('just-accepted');
    await inbox.accept(fresh);
    const filed: { id: string; recovering: boolean }[] = [];
    const process = filingProcess(inbox, recordingReceive(filed));

    process.file(fresh);
    expect(await process.sweep()).toBe(1);
    await process.idle();
    expect(filed).toEqual([
      { id: 'just-accepted', recovering: false },
      { id: 'left-by-a-crash', recovering: true },
    ]);
    expect(inbox.entries.size).toBe(0);
  });

  it('files one conversation’s messages one at a time in acceptance order, whatever order the triggers come in', async () => {
    const inbox = new InMemoryInboundInbox();
    const messages = ['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => entry(id));
    for (const m of messages) await inbox.accept(m);
    const filed: { id: string; recovering: boolean }[] = [];
    const process = filingProcess(inbox, recordingReceive(filed));
    for (const m of [...messages].reverse()) process.file(m);
    await process.idle();
    expect(filed.map((f) => f.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('two instances: the lane holder also files what the other accepted meanwhile, in order, none twice', async () => {
    const inbox = new InMemoryInboundInbox();
    const filed: { id: string; recovering: boolean }[] = [];
    const receive = recordingReceive(filed);
    const [a, b] = [filingProcess(inbox, receive, [], 'a'), filingProcess(inbox, receive, [], 'b')];
    const interleaved: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      const m = entry(`m${i}`);
      await inbox.accept(m);
      (i % 2 ? a : b).file(m);
      if (i % 3 === 0) interleaved.push(new Promise((resolve) => setImmediate(resolve)));
    }
    await Promise.all(interleaved);
    await Promise.all([a.idle(), b.idle()]);
    // Whoever saw the lane busy left its message to the holder, which looked again before leaving.
    await Promise.all([a.idle(), b.idle()]);
    expect(filed.map((f) => f.id)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 1}`));
    expect(inbox.entries.size).toBe(0);
    expect(inbox.holderOf('i-1:+5511999990000')).toBeNull();
  });

  it('different conversations are filed side by side', async () => {
    const inbox = new InMemoryInboundInbox();
    let concurrent = 0;
    let most = 0;
    const receive = {
      execute: async (command: ReceiveMessageCommand) => {
        concurrent += 1;
        most = Math.max(most, concurrent);
        await new Promise((resolve) => setTimeout(resolve, 5));
        concurrent -= 1;
        return { companyId: 'acme', ticketId: 't', messageId: command.entry.messageId, replay: false };
      },
    } as unknown as ReceiveMessageHandler;
    const process = filingProcess(inbox, receive);
    for (let i = 0; i < 4; i++) {
      const m = entry(`c${i}`, NOW, `+551100000000${i}`);
      await inbox.accept(m);
      process.file(m);
    }
    await process.idle();
    expect(most).toBe(4);
  });

  it('a message that cannot be filed stops its conversation (the next waits behind it) and is reported; the sweep tries again', async () => {
    const inbox = new InMemoryInboundInbox();
    const filed: { id: string; recovering: boolean }[] = [];
    let broken = true;
    const errors: unknown[] = [];
    const process = filingProcess(inbox, recordingReceive(filed, (id) => broken && id === 'm2'), errors);
    for (const id of ['m1', 'm2', 'm3']) {
      const m = entry(id, new Date(NOW.getTime() - 10_000));
      await inbox.accept(m);
      process.file(m);
    }
    await process.idle();
    expect(filed.map((f) => f.id)).toEqual(['m1']);
    expect([...inbox.entries.keys()].sort()).toEqual(['m2', 'm3']);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((e) => (e as Error).message))).toEqual(new Set(['cannot file m2']));

    broken = false;
    await process.sweep();
    await process.idle();
    expect(filed.map((f) => f.id)).toEqual(['m1', 'm2', 'm3']);
  });

  it('stopped at the shutdown deadline: the lanes under way stop after their current entry and give their lease back; the rest stays in the inbox for any instance', async () => {
    const inbox = new InMemoryInboundInbox();
    const conversations = ['+5511000000011', '+5511000000012', '+5511000000013', '+5511000000014', '+5511000000015', '+5511000000016'];
    const entries = conversations.flatMap((from) => [1, 2, 3].map((n) => entry(`${from}-${n}`, NOW, from)));
    for (const e of entries) await inbox.accept(e);
    const filed: { id: string; recovering: boolean }[] = [];
    const process = filingProcess(inbox, recordingReceive(filed), [], 'stopping');
    for (const e of entries) process.file(e);
    await new Promise((resolve) => setImmediate(resolve));
    process.stop();
    await process.idle();

    // Four lanes (the concurrency) had begun; each filed at most the entry it was on, in order.
    expect(filed.length).toBeGreaterThan(0);
    expect(filed.length).toBeLessThanOrEqual(4);
    for (const f of filed) expect(f.id).toMatch(/-1$/);
    expect(inbox.entries.size).toBe(entries.length - filed.length);
    for (const from of conversations) expect(inbox.holderOf(`i-1:${from}`)).toBeNull();
    // Nothing new is started once stopped; another instance files the rest, in order.
    process.file(entries[0]!);
    await process.idle();
    expect(filed.length).toBeLessThanOrEqual(4);
    const other = filingProcess(inbox, recordingReceive(filed), [], 'other');
    for (const e of entries) other.file(e);
    await other.idle();
    expect(inbox.entries.size).toBe(0);
    expect(new Set(filed.map((f) => f.id))).toEqual(new Set(entries.map((e) => e.messageId)));
  });
});
