import { AcceptedInboundMessage, InboundFilingTrigger, InboundInbox, laneOf } from '../../ports/inbound-inbox.port';
import { Clock } from '../../ports/clock.port';
import { ReceiveMessageCommand } from '../receive-message/receive-message.command';
import { ReceiveMessageHandler } from '../receive-message/receive-message.handler';

export interface InboundFilingOptions {
  /** Lanes (conversations) filed at once by this instance. */
  readonly concurrency: number;
  /** An inbox entry older than this was left by a crash (or a failure): the sweep files it. */
  readonly unfiledAfterMs: number;
  readonly sweepBatch: number;
  /** How long a lane is held while its entries are filed; a crashed holder's lane is free after it. */
  readonly laneLeaseMs?: number;
  /** Entries filed per hold of a lane, before it is released and taken again (others get a turn). */
  readonly laneBatch?: number;
}

/**
 * Files accepted messages on their tickets, one conversation lane at a time, in the order the
 * messages were accepted: a message acknowledged before the next one was sent is stored,
 * listed and announced first, whichever instances took the two webhooks.
 *
 * A lane is filed by whoever holds it (a lease in the database). An instance that accepted a
 * message tries to take its lane; when another instance holds it, that holder files the new
 * message too, because after giving the lane up it looks once more for waiting entries (and
 * takes the lane again if there are any). A crashed holder's lane frees itself when its lease
 * runs out; the sweep then files what it left. Filing is idempotent, so an entry filed twice
 * still counts once; an entry leaves the inbox only once filed.
 */
export class InboundFilingProcess implements InboundFilingTrigger {
  /** Lanes to file, in the order they were asked for (a Set keeps that order and each lane once). */
  private readonly waiting = new Set<string>();
  private readonly active = new Map<string, Promise<void>>();
  /** Lanes asked for again while being filed here: filed once more right after. */
  private readonly again = new Set<string>();
  private readonly holder: string;
  /** Shutdown ran out of time: file no further entry (what is left stays in the inbox for the sweep of any instance). */
  private stopped = false;

  constructor(
    private readonly receive: ReceiveMessageHandler,
    private readonly inbox: InboundInbox,
    private readonly clock: Clock,
    private readonly options: InboundFilingOptions,
    private readonly reportError: (error: unknown) => void,
    holder?: string,
  ) {
    this.holder = holder ?? `filer-${Math.random().toString(36).slice(2, 10)}`;
  }

  file(entry: AcceptedInboundMessage): void {
    this.schedule(laneOf(entry));
  }

  /** Schedules the lanes of entries nobody filed in time; returns how many entries were found. */
  async sweep(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.options.unfiledAfterMs);
    const unfiled = await this.inbox.listUnfiled(before, this.options.sweepBatch);
    for (const lane of new Set(unfiled.map(laneOf))) this.schedule(lane);
    return unfiled.length;
  }

  /** Waits for everything scheduled to be filed (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.active.size > 0 || this.waiting.size > 0) await Promise.allSettled([...this.active.values()]);
  }

  /**
   * Shutdown out of time: lanes under way stop after their current entry and give their lease
   * back; nothing else is started. The entries left are in the inbox, where the sweep of any
   * instance finds them. `idle()` then returns as soon as those lanes stopped.
   */
  stop(): void {
    this.stopped = true;
    this.waiting.clear();
    this.again.clear();
  }

  private schedule(lane: string): void {
    if (this.stopped) return;
    if (this.active.has(lane)) this.again.add(lane);
    else this.waiting.add(lane);
    this.pump();
  }

  private pump(): void {
    while (this.active.size < this.options.concurrency && this.waiting.size > 0) {
      const lane = this.waiting.values().next().value as string;
      this.waiting.delete(lane);
      const work = this.fileLane(lane)
        .catch(this.reportError)
        .finally(() => {
          this.active.delete(lane);
          if (this.again.delete(lane)) this.waiting.add(lane);
          this.pump();
        });
      this.active.set(lane, work);
    }
  }

  /** Files the lane's waiting entries in order while this instance holds it. */
  private async fileLane(lane: string): Promise<void> {
    const leaseMs = this.options.laneLeaseMs ?? 30_000;
    const batch = this.options.laneBatch ?? 50;
    for (;;) {
      const now = this.clock.now();
      if (!(await this.inbox.claimLane(lane, this.holder, new Date(now.getTime() + leaseMs), now))) return; // the holder files it
      let complete: boolean;
      try {
        complete = await this.fileWaiting(lane, batch);
      } finally {
        await this.inbox.releaseLane(lane, this.holder);
      }
      // A failure stops the lane (order before progress): the sweep tries again later.
      if (!complete || this.stopped || !(await this.inbox.hasWaiting(lane))) return;
    }
  }

  /** False when an entry could not be filed (it stays, and so does everything after it). */
  private async fileWaiting(lane: string, limit: number): Promise<boolean> {
    for (const entry of await this.inbox.listLane(lane, limit)) {
      if (this.stopped) return false;
      // Waiting this long means an attempt may have died after counting it: announce it again if so.
      const recovering = this.clock.now().getTime() - entry.acceptedAt.getTime() >= this.options.unfiledAfterMs;
      try {
        await this.receive.execute(new ReceiveMessageCommand(entry, recovering));
        await this.inbox.remove(entry.messageId);
      } catch (error) {
        this.reportError(error);
        return false;
      }
    }
    return true;
  }
}
