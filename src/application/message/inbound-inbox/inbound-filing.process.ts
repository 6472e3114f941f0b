import { AcceptedInboundMessage, InboundFilingTrigger, InboundInbox } from '../../ports/inbound-inbox.port';
import { Clock } from '../../ports/clock.port';
import { ReceiveMessageCommand } from '../receive-message/receive-message.command';
import { ReceiveMessageHandler } from '../receive-message/receive-message.handler';

export interface InboundFilingOptions {
  /** Messages filed at once by this instance. */
  readonly concurrency: number;
  /** An inbox entry older than this was left by a crash (or a failure): the sweep files it. */
  readonly unfiledAfterMs: number;
  readonly sweepBatch: number;
}

/**
 * Files accepted messages on their tickets: at once for what this instance accepted, and by
 * a sweep of the inbox for what nobody finished. Filing is idempotent, so an entry filed
 * twice (two instances' sweeps, a replay) still counts once; the entry leaves the inbox
 * only after it was filed.
 */
export class InboundFilingProcess implements InboundFilingTrigger {
  private readonly queue: { readonly entry: AcceptedInboundMessage; readonly recovering: boolean }[] = [];
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly receive: ReceiveMessageHandler,
    private readonly inbox: InboundInbox,
    private readonly clock: Clock,
    private readonly options: InboundFilingOptions,
    private readonly reportError: (error: unknown) => void,
  ) {}

  file(entry: AcceptedInboundMessage): void {
    this.enqueue(entry, false);
  }

  /** Queues the entries nobody filed in time; returns how many were found. */
  async sweep(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.options.unfiledAfterMs);
    const unfiled = await this.inbox.listUnfiled(before, this.options.sweepBatch);
    const queued = new Set(this.queue.map(({ entry }) => entry.messageId));
    // Left unfinished by an earlier attempt (here or in another instance): recovering.
    for (const entry of unfiled) if (!this.inFlight.has(entry.messageId) && !queued.has(entry.messageId)) this.enqueue(entry, true);
    return unfiled.length;
  }

  /** Waits for everything queued to be filed (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.queue.length > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  private enqueue(entry: AcceptedInboundMessage, recovering: boolean): void {
    this.queue.push({ entry, recovering });
    this.pump();
  }

  private pump(): void {
    while (this.inFlight.size < this.options.concurrency && this.queue.length > 0) {
      const { entry, recovering } = this.queue.shift()!;
      if (this.inFlight.has(entry.messageId)) continue;
      const work = this.fileOne(entry, recovering).finally(() => {
        this.inFlight.delete(entry.messageId);
        this.pump();
      });
      this.inFlight.set(entry.messageId, work);
    }
  }

  private async fileOne(entry: AcceptedInboundMessage, recovering: boolean): Promise<void> {
    try {
      await this.receive.execute(new ReceiveMessageCommand(entry, recovering));
      await this.inbox.remove(entry.messageId);
    } catch (error) {
      // The entry stays in the inbox: the next sweep files it again.
      this.reportError(error);
    }
  }
}
