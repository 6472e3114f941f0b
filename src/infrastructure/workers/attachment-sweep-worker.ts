import { randomUUID } from 'node:crypto';
import { Clock } from '../../application/ports/clock.port';
import { OperationLease } from '../../application/ports/operation-lease.port';
import { BackgroundWorker } from '../di/core-module';
import { GridFsUnsentAttachmentSweeper, UnsentAttachmentSweepCounts } from '../persistence/mongoose/attachments/gridfs-unsent-attachment-sweeper';
import { PeriodicWorker } from './periodic-worker';

/**
 * Every `intervalMs`, the instance holding the sweep lease deletes attachments uploaded and
 * never sent (and orphaned upload chunks) older than the TTL, then logs what it removed. The
 * lease only saves duplicate scans: the sweeper's conditional deletes keep two overlapping
 * passes correct (each file deleted once, a claimed file never).
 */
export class AttachmentSweepWorker implements BackgroundWorker {
  private readonly holder = randomUUID();
  private readonly periodic: PeriodicWorker;

  constructor(
    private readonly sweeper: GridFsUnsentAttachmentSweeper,
    private readonly lease: OperationLease,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly log: (message: string, context: Record<string, unknown>) => void,
    reportError: (error: unknown) => void,
  ) {
    this.periodic = new PeriodicWorker(() => this.tick(), intervalMs, reportError);
  }

  start(): void {
    this.periodic.start();
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
    await this.lease.release(this.holder).catch(() => undefined);
  }

  /** One tick: a pass if this instance holds (or takes) the lease; its counts, or null when another instance holds it. */
  async tick(): Promise<UnsentAttachmentSweepCounts | null> {
    const now = this.clock.now();
    // Short enough that a crashed holder is replaced soon; renewed at every tick.
    const until = new Date(now.getTime() + Math.max(3 * this.intervalMs, 30_000));
    if (!(await this.lease.acquire(this.holder, until, now))) return null;
    const counts = await this.sweeper.sweep(now);
    this.log('unsent attachments swept', { ...counts });
    return counts;
  }
}
