import { setTimeout as sleep } from 'node:timers/promises';
import { EventLogDocument } from '../persistence/mongoose/event-log/event-log.collection';
import { EventLogReader, toLoggedEvent } from '../persistence/mongoose/event-log/event-log.reader';
import { companyEventName, EVENTS_LOST, LiveEventBus } from './live-events';

export interface EventLogTailerOptions {
  /** Pause between probes when the server answered without waiting for data (FerretDB). */
  readonly pollIntervalMs: number;
  /** How long MongoDB holds a getMore on the tailable cursor before answering empty. */
  readonly maxAwaitTimeMs?: number;
  /** Where the server does not await: the most `_id` lookups in flight at once while catching up. */
  readonly probeWindow?: number;
  /** Where the server does not await: how often an idle tailer checks that its next entry was not rolled out. */
  readonly rolloverCheckMs?: number;
  /**
   * Where the tailer probes (FerretDB), the longest pause once the log has been quiet: the
   * pause doubles from `pollIntervalMs` with each empty probe up to this, and drops back at
   * the first new entry. Each idle probe reads through the log, so a quiet service should
   * not probe 20 times a second. Default 400 ms.
   */
  readonly maxIdlePollMs?: number;
}

/**
 * Follows the event log from its newest entry at start and emits every entry, exactly once
 * and in sequence order, on the in-process bus under its company's event name: whichever
 * instance appended it, every instance's SSE streams see it.
 *
 * On MongoDB a tailable cursor awaits new entries. FerretDB v1 closes that cursor after
 * what exists, and every range read there scans the whole collection; so once the server
 * has shown it does not await, the tailer probes by `_id` instead (a lookup runs inside
 * SQLite, ~10× cheaper than those scans, and is no write): entry `last + 1`, then growing
 * runs after it. Sequence numbers are gap-free, so a missing
 * `last + 1` means nothing new — unless the capped log dropped it before it was read, which
 * a periodic look at the oldest entry catches.
 */
export class EventLogTailer {
  private last: number | null = null;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;
  /** Set once a tailable cursor closed right after what existed: the server does not await (FerretDB v1). */
  private serverPolls = false;
  private rolloverCheckedAt = 0;
  /** Consecutive probes that found nothing new (FerretDB path): lengthens the pause. */
  private emptyProbes = 0;
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
        if (this.serverPolls) {
          const before = this.last;
          await this.probe(before);
          this.emptyProbes = this.last === before ? this.emptyProbes + 1 : 0;
        } else if ((await this.follow(this.last)) === 'closed-by-server') this.serverPolls = true;
      } catch (error) {
        this.reportError(error);
      }
      await this.pause(this.idlePauseMs());
    }
  }

  /**
   * Reads by `_id` what follows `after`: one lookup while idle; while entries keep coming,
   * runs that double up to `probeWindow` lookups in flight, without pausing in between.
   */
  private async probe(after: number): Promise<void> {
    const maxWindow = Math.max(1, this.options.probeWindow ?? 16);
    let next = after + 1;
    for (let window = 1; !this.stopping; window = Math.min(window * 2, maxWindow)) {
      const run = await this.reader.readRun(next, window);
      for (const doc of run) this.deliver(doc);
      if (run.length === window) {
        next += window;
        continue;
      }
      if (run.length === 0 && next === after + 1) await this.skipRolledOut(after);
      return;
    }
  }

  /**
   * The entry after `last` is missing: normally not written yet, but a tailer that fell far
   * behind may find it already dropped by the capped log (oldest first). Every
   * `rolloverCheckMs` the oldest entry tells (one cheap read): past `last + 1` means lost.
   */
  private async skipRolledOut(last: number): Promise<void> {
    if (Date.now() - this.rolloverCheckedAt < (this.options.rolloverCheckMs ?? 2000)) return;
    this.rolloverCheckedAt = Date.now();
    const oldest = await this.reader.oldestSeq();
    if (oldest !== null && oldest > last + 1 && this.last === last) {
      this.lost(last + 1, oldest - 1);
      this.last = oldest - 1;
    }
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
    const last = this.last ?? doc.seq - 1;
    if (doc.seq <= last) return;
    if (doc.seq !== last + 1) this.lost(last + 1, doc.seq - 1);
    // Position first, then emit, in one synchronous step: a stream that opens in between
    // sees either both or neither.
    this.last = doc.seq;
    this.bus.emit(companyEventName(doc.companyId), toLoggedEvent(doc));
  }

  private lost(from: number, to: number): void {
    this.reportError(new Error(`event log: entries ${from}..${to} were dropped before this instance read them`));
    this.bus.emit(EVENTS_LOST, { from, to });
  }

  private idlePauseMs(): number {
    const base = this.options.pollIntervalMs;
    if (!this.serverPolls || this.emptyProbes === 0) return base;
    return Math.max(base, Math.min(base * 2 ** Math.min(this.emptyProbes, 8), this.options.maxIdlePollMs ?? 400));
  }

  private async pause(ms = this.options.pollIntervalMs): Promise<void> {
    if (this.stopping) return;
    await sleep(ms, undefined, { signal: this.stopSignal.signal }).catch(() => undefined);
  }
}
