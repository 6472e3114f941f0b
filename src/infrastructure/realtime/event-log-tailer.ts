import { setTimeout as sleep } from 'node:timers/promises';
import { EventLogDocument } from '../persistence/mongoose/event-log/event-log.collection';
import { EventLogReader, toLoggedEvent } from '../persistence/mongoose/event-log/event-log.reader';
import { companyEventName, EVENTS_LOST, LiveEventBus } from './live-events';

export interface EventLogTailerOptions {
  /** Pause before re-querying when the server answered without waiting for data (FerretDB). */
  readonly pollIntervalMs: number;
  /** How long MongoDB holds a getMore on the tailable cursor before answering empty. */
  readonly maxAwaitTimeMs?: number;
  /** On a server that does not await, the longest wait between log reads whatever the head hint says. */
  readonly fullReadEveryMs?: number;
}

/**
 * Follows the event log from its newest entry at start and emits every entry, exactly once
 * and in sequence order, on the in-process bus under its company's event name: whichever
 * instance appended it, every instance's SSE streams see it.
 */
export class EventLogTailer {
  private last: number | null = null;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;
  /** Set once a tailable cursor closed right after what existed: the server does not await (FerretDB v1). */
  private serverPolls = false;
  private lastFullReadAt = 0;
  private markPositioned: (position: number) => void = () => undefined;
  /** Resolves with the start position once known (streams opened before then wait for it). */
  readonly positioned = new Promise<number>((resolve) => (this.markPositioned = resolve));

  constructor(
    private readonly reader: EventLogReader,
    private readonly bus: LiveEventBus,
    private readonly options: EventLogTailerOptions,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** The last sequence number emitted (null until the start position is known). */
  get position(): number | null {
    return this.last;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.last === null) {
          this.last = await this.reader.newestSeq();
          this.markPositioned(this.last);
        }
        if (await this.worthReading(this.last)) {
          this.lastFullReadAt = Date.now();
          if ((await this.follow(this.last)) === 'closed-by-server') this.serverPolls = true;
        }
      } catch (error) {
        this.reportError(error);
      }
      await this.pause();
    }
  }

  /**
   * Where the server polls, each read of the log scans it whole (FerretDB v1, measured
   * ~65 ms per 1000 entries): read it only when the appenders' head hint moved, or every
   * `fullReadEveryMs` in case a hint was lost.
   */
  private async worthReading(last: number): Promise<boolean> {
    if (!this.serverPolls || Date.now() - this.lastFullReadAt >= (this.options.fullReadEveryMs ?? 1000)) return true;
    return (await this.reader.headHint()) > last;
  }

  /** Drains one tailable cursor until the server closes it (FerretDB: after what exists). */
  private async follow(after: number): Promise<'closed-by-server' | 'stopped'> {
    const maxAwait = this.options.maxAwaitTimeMs ?? 1000;
    const cursor = this.reader.tail(after, maxAwait);
    try {
      while (!this.stopping) {
        const askedAt = Date.now();
        const doc = await cursor.tryNext();
        if (doc) {
          this.deliver(doc);
          continue;
        }
        if (cursor.closed) return 'closed-by-server';
        // An open cursor that answered empty without waiting would spin: pace it.
        if (Date.now() - askedAt < this.options.pollIntervalMs) await this.pause();
      }
      return 'stopped';
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }

  private deliver(doc: EventLogDocument): void {
    const last = this.last ?? doc._id - 1;
    if (doc._id <= last) return;
    if (doc._id !== last + 1) {
      this.reportError(new Error(`event log: entries ${last + 1}..${doc._id - 1} were dropped before this instance read them`));
      this.bus.emit(EVENTS_LOST, { from: last + 1, to: doc._id - 1 });
    }
    // Position first, then emit, in one synchronous step: a stream that opens in between
    // sees either both or neither.
    this.last = doc._id;
    this.bus.emit(companyEventName(doc.companyId), toLoggedEvent(doc));
  }

  private async pause(): Promise<void> {
    if (this.stopping) return;
    await sleep(this.options.pollIntervalMs, undefined, { signal: this.stopSignal.signal }).catch(() => undefined);
  }
}
