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
   * Where the tailer polls (FerretDB), how often it looks past the head for entries the head
   * does not show (an appender died before advancing it, or two advances interleaved).
   * Each such look reads through the log there. Default 1000 ms.
   */
  readonly pastHeadCheckMs?: number;
}

/**
 * Follows the event log from its newest entry at start and emits every entry, exactly once
 * and in sequence order, on the in-process bus under its company's event name: whichever
 * instance appended it, every instance's SSE streams see it.
 *
 * On MongoDB a tailable cursor awaits new entries. FerretDB v1 closes that cursor after
 * what exists, and every read of the log there reads through all of it; so once the server
 * has shown it does not await, the tailer polls the head (EventLogHead: one tiny document)
 * and reads by `_id` just the entries up to it. Once a second it also looks for `last + 1`
 * itself, in case the head fell behind. Sequence numbers are gap-free, so a missing
 * `last + 1` means nothing new — unless the capped log dropped it before it was read, which
 * a look at the oldest entry catches.
 */
export class EventLogTailer {
  private last: number | null = null;
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;
  /** Set once a tailable cursor closed right after what existed: the server does not await (FerretDB v1). */
  private serverPolls = false;
  private rolloverCheckedAt = 0;
  private pastHeadCheckedAt = 0;
  /** A head that pointed past entries that were never stored (a log dropped under a running service): ignored. */
  private headNotOfThisLog: number | null = null;
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
        if (this.serverPolls) await this.poll(this.last);
        else if ((await this.follow(this.last)) === 'closed-by-server') this.serverPolls = true;
      } catch (error) {
        this.reportError(error);
      }
      await this.pause();
    }
  }

  /** One poll where the server does not await: through the head, else now and then past it. */
  private async poll(after: number): Promise<void> {
    const head = await this.reader.headSeq();
    if (head !== null && head > after && head !== this.headNotOfThisLog) {
      if (await this.readUpTo(after, head)) return;
      // Every poll would look for the missing entry again; until the head moves, only the
      // look past it (once a second) finds new entries.
      this.headNotOfThisLog = head;
      this.reportError(new Error(`event log: the head (${head}) points past entry ${after + 1}, which was never stored; was the log dropped while running?`));
    }
    if (Date.now() - this.pastHeadCheckedAt < (this.options.pastHeadCheckMs ?? 1000)) return;
    this.pastHeadCheckedAt = Date.now();
    await this.probe(after);
  }

  /**
   * Reads the entries after `after` up to `head`, all known to be stored, in runs of
   * `probeWindow` lookups in flight. False when `after + 1` is missing although the head
   * passed it: rolled out (then the loss is signalled), or the head is not this log's.
   */
  private async readUpTo(after: number, head: number): Promise<boolean> {
    const window = Math.max(1, this.options.probeWindow ?? 16);
    for (let next = after + 1; next <= head && !this.stopping; next += window) {
      const count = Math.min(window, head - next + 1);
      const run = await this.reader.readRun(next, count);
      for (const doc of run) this.deliver(doc);
      if (run.length === 0 && next === after + 1) return this.skipRolledOut(after, { now: true });
      if (run.length < count) return true;
    }
    return true;
  }

  /**
   * Reads by `_id` what follows `after`, whatever the head says: runs that double up to
   * `probeWindow` lookups in flight while entries keep coming.
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
   * behind may find it already dropped by the capped log (oldest first). The oldest entry
   * tells (one cheap read): past `last + 1` means lost. Checked every `rolloverCheckMs`, or
   * `now` when the head says the entry was stored. True when the loss was signalled.
   */
  private async skipRolledOut(last: number, { now = false } = {}): Promise<boolean> {
    if (!now && Date.now() - this.rolloverCheckedAt < (this.options.rolloverCheckMs ?? 2000)) return false;
    this.rolloverCheckedAt = Date.now();
    const oldest = await this.reader.oldestSeq();
    if (oldest !== null && oldest > last + 1 && this.last === last) {
      this.lost(last + 1, oldest - 1);
      this.last = oldest - 1;
      return true;
    }
    return false;
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

  private async pause(ms = this.options.pollIntervalMs): Promise<void> {
    if (this.stopping) return;
    await sleep(ms, undefined, { signal: this.stopSignal.signal }).catch(() => undefined);
  }
}
