import { mongo } from 'mongoose';
import { EventLogDocument } from '../persistence/mongoose/event-log/event-log.collection';
import { EventLogReader, toLoggedEvent } from '../persistence/mongoose/event-log/event-log.reader';
import { companyEventName, EVENTS_LOST, LiveEventBus } from './live-events';

/** `auto`: a change stream where the server has them, else polling. The others force one (tests, operators). */
export type EventLogTailMode = 'auto' | 'change-stream' | 'poll';

export interface EventLogTailerOptions {
  readonly mode: EventLogTailMode;
  /**
   * Polling: the pause between reads. Change stream: the pause after an empty answer that came
   * back at once (a server that does not hold getMore, such as mongo-java-server). Appends of
   * this instance end the pause early either way.
   */
  readonly pollIntervalMs: number;
  /** How long a change stream's getMore may wait on the server for new entries (MongoDB). */
  readonly maxAwaitTimeMs?: number;
  /** Entries per read when catching up or polling. */
  readonly batchSize?: number;
  /** While the next entry is missing, how often to check whether it was trimmed. Default 2000 ms. */
  readonly rolloverCheckMs?: number;
  /** Where to start: after this sequence number (default: the newest entry at start). */
  readonly startAfter?: number;
}

/** Error codes a server gives when it has no change streams: standalone mongod (40573), no oplog. */
const NO_CHANGE_STREAMS = new Set([40573, 40324, 115, 59]);

/**
 * Follows the event log from its newest entry at start and emits every entry, exactly once and
 * in sequence order, on the in-process bus under its company's event name: whichever instance
 * appended it, every instance's SSE streams see it.
 *
 * Where the server has change streams (MongoDB replica sets, mongo-java-server with its oplog)
 * the tailer watches the log's inserts; elsewhere (a standalone mongod) it polls `_id > last`,
 * served by the `_id` index. Either way the sequence numbers are the truth: they are gap-free,
 * so a change that skips numbers makes the tailer read the skipped ones from the log (a stream
 * that was reopened, an oplog trimmed under it), and only numbers no longer in the log (trimmed
 * before this instance read them) are reported lost, which resets the affected SSE streams.
 */
export class EventLogTailer {
  private last: number | null = null;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private changeStreamsUnavailable = false;
  private activeMode: 'change-stream' | 'poll' | null = null;
  private wakeUp: (() => void) | null = null;
  private trimCheckedAt = 0;
  private woken = false;
  private markPositioned: (position: number) => void = () => undefined;
  /** Resolves with the start position once known (streams opened before then wait for it). */
  readonly positioned = new Promise<number>((resolve) => (this.markPositioned = resolve));

  constructor(
    private readonly reader: EventLogReader,
    private readonly bus: LiveEventBus,
    private readonly options: EventLogTailerOptions,
    private readonly reportError: (error: unknown) => void,
    private readonly note: (message: string) => void = () => undefined,
  ) {}

  /** The last sequence number emitted (null until the start position is known). */
  get position(): number | null {
    return this.last;
  }

  /** How the tailer follows the log right now (null before it started following). */
  get mode(): 'change-stream' | 'poll' | null {
    return this.activeMode;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
  }

  /**
   * New entries were stored (by this instance): when polling, read now rather than after the
   * pause. A change stream is not hurried: MongoDB holds its getMore until entries come, and on
   * the embedded engine every getMore reads through the whole oplog, so it keeps its pace.
   */
  wake(): void {
    if (this.activeMode === 'change-stream' && !this.stopping) return;
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.last === null) {
          this.last = this.options.startAfter ?? (await this.reader.newestSeq());
          this.markPositioned(this.last);
        }
        if (this.options.mode !== 'poll' && !this.changeStreamsUnavailable) await this.followChangeStream();
        else await this.pollOnce();
      } catch (error) {
        if (this.options.mode === 'auto' && isNoChangeStreamsError(error)) {
          this.changeStreamsUnavailable = true;
          this.note('the database has no change streams (a standalone mongod?): the event log is polled');
          continue;
        }
        this.reportError(error);
      }
      await this.pause();
    }
    this.activeMode = null;
  }

  private async pollOnce(): Promise<void> {
    this.activeMode = 'poll';
    await this.catchUp();
  }

  private async followChangeStream(): Promise<void> {
    const maxAwait = this.options.maxAwaitTimeMs ?? 1000;
    const stream = this.reader.log.watch<EventLogDocument, mongo.ChangeStreamInsertDocument<EventLogDocument>>([{ $match: { operationType: 'insert' } }], {
      maxAwaitTimeMS: maxAwait,
    });
    try {
      // Open the stream first, then read what the log already holds: anything stored before
      // the stream began comes from the read, anything after from the stream (repeats skipped).
      let change = await stream.tryNext();
      this.activeMode = 'change-stream';
      await this.catchUp();
      // MongoDB holds an empty getMore for maxAwaitTimeMS. A server that answers at once (the
      // embedded one, which reads through its whole oplog for every getMore) is asked again
      // only after a pause, once what it sent is used up: its cost stays at one read a pause.
      let serverHolds = false;
      while (!this.stopping) {
        if (change !== null) await this.deliverInOrder(change.fullDocument);
        if (!serverHolds && stream.bufferedCount() === 0) await this.pause();
        if (this.stopping) break;
        const askedAt = Date.now();
        change = await stream.tryNext();
        if (change === null && Date.now() - askedAt >= maxAwait * 0.9) serverHolds = true;
      }
    } finally {
      await stream.close().catch(() => undefined);
    }
  }

  /** Reads and emits everything after the position, in pages. */
  private async catchUp(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    for (;;) {
      const docs = await this.reader.readAfter(this.last ?? 0, batchSize);
      for (const doc of docs) await this.deliverInOrder(doc, { fromLog: true });
      if (docs.length === 0 && (await this.skipTrimmed())) continue;
      if (docs.length < batchSize || this.stopping) return;
    }
  }

  /**
   * The entry after the position is missing: normally not written yet, but a tailer that fell
   * far behind may find it trimmed. The oldest entry tells (checked every `rolloverCheckMs`):
   * past the next one means lost. True when the position moved past a loss.
   */
  private async skipTrimmed(): Promise<boolean> {
    if (Date.now() - this.trimCheckedAt < (this.options.rolloverCheckMs ?? 2000)) return false;
    this.trimCheckedAt = Date.now();
    const last = this.last ?? 0;
    const oldest = await this.reader.oldestSeq();
    if (oldest === null || oldest <= last + 1 || this.last !== last) return false;
    this.lost(last + 1, oldest - 1);
    this.last = oldest - 1;
    return true;
  }

  /** Emits `doc` after whatever comes between the position and it. */
  private async deliverInOrder(doc: EventLogDocument, { fromLog = false } = {}): Promise<void> {
    const last = this.last ?? doc._id - 1;
    if (doc._id <= last) return;
    if (doc._id > last + 1) {
      // Read from the log, an entry after a missing one means the missing one was trimmed.
      if (!fromLog) await this.catchUp();
      if (doc._id <= (this.last ?? 0)) return;
      if (doc._id > (this.last ?? 0) + 1) this.lost((this.last ?? 0) + 1, doc._id - 1);
    }
    // Position first, then emit, in one synchronous step: a stream that opens in between sees
    // either both or neither.
    this.last = doc._id;
    this.bus.emit(companyEventName(doc.companyId), toLoggedEvent(doc));
  }

  private lost(from: number, to: number): void {
    this.reportError(new Error(`event log: entries ${from}..${to} were trimmed before this instance read them`));
    this.bus.emit(EVENTS_LOST, { from, to });
  }

  private async pause(): Promise<void> {
    if (this.stopping) return;
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.pollIntervalMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = null;
    this.woken = false;
  }
}

function isNoChangeStreamsError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && NO_CHANGE_STREAMS.has(code)) return true;
  return /\$changeStream|change streams? (are|is) (only )?supported|only supported on replica sets|oplog/i.test(String((error as Error).message ?? ''));
}
