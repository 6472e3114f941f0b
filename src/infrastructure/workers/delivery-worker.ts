import { DeliveryProcessor } from '../../application/delivery/delivery-processor';
import { DeliveryTrigger } from '../../application/delivery/delivery-trigger';
import { BackgroundWorker } from '../di/core-module';

export interface DeliveryWorkerOptions {
  /** How often it looks for due messages when nothing wakes it. */
  readonly pollIntervalMs: number;
  /** Tickets delivered in parallel by this instance (one lane per ticket keeps their order). */
  readonly concurrency: number;
  /**
   * Gives every pending message a queue entry (reads all messages: rarely). Run once before
   * the first poll, then every `sweepIntervalMs`.
   */
  readonly sweep?: () => Promise<unknown>;
  readonly sweepIntervalMs?: number;
  /**
   * A scan (it only reads due work, then starts lanes) not ended by then is left behind and the
   * next one may start (default 30 s). One database operation that never settled once held the
   * scan after a database outage, and with it every delivery until the service restarted.
   */
  readonly scanDeadlineMs?: number;
}

/** Default of `scanDeadlineMs`. */
const SCAN_DEADLINE_MS = 30_000;

/**
 * Runs the delivery process: on a timer, when a reply is queued (`kick`), and whenever a lane
 * frees up. Each lane delivers one ticket's messages in order; lanes run in parallel.
 */
export class DeliveryWorker implements BackgroundWorker, DeliveryTrigger {
  private timer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  /** The start-up sweep: polls wait for it, so messages left without an entry keep their order. */
  private startup: Promise<void> = Promise.resolve();
  private readonly busyTickets = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private scanning: Promise<void> | null = null;
  /** Which scan is the current one: a scan left behind at its deadline starts no lanes when it ends. */
  private scanNumber = 0;
  private rescan = false;
  private kickScheduled = false;
  /** Set by stop: lanes finish the message under way and take no next one. */
  private draining = false;

  constructor(
    private readonly processor: () => DeliveryProcessor,
    private readonly options: DeliveryWorkerOptions,
    private readonly reportError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.draining = false;
    this.timer = setInterval(() => this.kick(), this.options.pollIntervalMs);
    this.timer.unref();
    if (this.options.sweep) {
      const sweep = this.options.sweep;
      this.startup = sweep().then(
        () => undefined,
        (error: unknown) => this.reportError(error),
      );
      this.sweepTimer = setInterval(() => this.track(sweep()), this.options.sweepIntervalMs ?? 5 * 60_000);
      this.sweepTimer.unref();
    }
    this.kick();
  }

  kick(): void {
    if (!this.timer || this.kickScheduled) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      this.scan();
    });
  }

  /** Stops looking for work and waits for the messages under way (their lanes take no next one). */
  async stop(): Promise<void> {
    this.draining = true;
    if (this.timer) clearInterval(this.timer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.timer = null;
    this.sweepTimer = null;
    await this.startup;
    await this.scanning;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private scan(): void {
    if (!this.timer) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    const scan = (this.scanNumber += 1);
    const deadlineMs = this.options.scanDeadlineMs ?? SCAN_DEADLINE_MS;
    let deadline: NodeJS.Timeout | undefined;
    const leftBehind = new Promise<void>((resolve) => {
      deadline = setTimeout(() => {
        this.reportError(new Error(`delivery: a scan for due messages did not end within ${deadlineMs} ms; it is left behind and the next one starts`));
        resolve();
      }, deadlineMs);
      deadline.unref();
    });
    this.scanning = Promise.race([this.fillLanes(scan), leftBehind])
      .catch((error: unknown) => this.reportError(error))
      .finally(() => {
        clearTimeout(deadline);
        if (this.scanNumber === scan) this.scanNumber += 1;
        this.scanning = null;
        if (this.rescan) {
          this.rescan = false;
          this.kick();
        }
      });
  }

  private async fillLanes(scan: number): Promise<void> {
    await this.startup;
    const processor = this.processor();
    const free = this.options.concurrency - this.busyTickets.size;
    const work = await processor.findWork(free, this.busyTickets);
    // Left behind at its deadline: a later scan owns the lanes now.
    if (scan !== this.scanNumber) return;
    for (const candidate of work) {
      this.busyTickets.add(candidate.ticketId);
      const lane = processor
        .deliverTicket(candidate, () => !this.draining)
        .then((handled) => {
          // More may be due now (the lane freed up); a lane that did nothing waits for the timer.
          if (handled > 0) this.kick();
        })
        .finally(() => this.busyTickets.delete(candidate.ticketId));
      this.track(lane);
    }
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((error: unknown) => this.reportError(error));
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
  }
}
