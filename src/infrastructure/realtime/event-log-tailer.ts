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

  /** New entries were stored (by this instance): read now rather than after the pause. */
  wake(): void {
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
    const stream = this.reader.log.watch<EventLogDocument, mongo.ChangeStreamInsertDocument<EventLogDocument>>(
      [{ $match: { operationType: 'insert' } }],
      { maxAwaitTimeMS: this.options.maxAwaitTimeMs ?? 1000 },
    );
    try {
      // Open the stream first, then read what the log already holds: anything stored before
      // the stream began comes from the read, anything after from the stream (repeats skipped).
      let change = await stream.tryNext();
      this.activeMode = 'change-stream';
      await this.catchUp();
      while (!this.stopping) {
        if (change !== null) {
          await this.deliverInOrder(change.fullDocument);
          change = await stream.tryNext();
          continue;
        }
        const askedAt = Date.now();
        change = await stream.tryNext();
        // An empty answer that came at once would spin: pace it (until this instance appends).
        if (change === null && Date.now() - askedAt < this.options.pollIntervalMs) await this.pause();
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
      if (docs.length < batchSize || this.stopping) return;
    }
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
