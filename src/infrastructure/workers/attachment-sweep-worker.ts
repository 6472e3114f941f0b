import { Clock } from '../../application/ports/clock.port';
import { OperationLease } from '../../application/ports/operation-lease.port';
import { GridFsUnsentAttachmentSweeper, UnsentAttachmentSweepCounts } from '../persistence/mongoose/attachments/gridfs-unsent-attachment-sweeper';
import { LeasedPeriodicWorker } from './leased-periodic-worker';

/**
 * Every `intervalMs`, the instance holding the sweep lease deletes attachments uploaded and
 * never sent (and orphaned upload chunks) older than the TTL, then logs what it removed. The
 * lease only saves duplicate scans: the sweeper's conditional deletes keep two overlapping
 * passes correct (each file deleted once, a claimed file never).
 */
export class AttachmentSweepWorker extends LeasedPeriodicWorker {
  constructor(
    private readonly sweeper: GridFsUnsentAttachmentSweeper,
    lease: OperationLease,
    clock: Clock,
    intervalMs: number,
    private readonly log: (message: string, context: Record<string, unknown>) => void,
    reportError: (error: unknown) => void,
  ) {
    super(lease, clock, intervalMs, reportError);
  }

  /** One tick: a pass if this instance holds (or takes) the lease; its counts, or null when another instance holds it. */
  async tick(): Promise<UnsentAttachmentSweepCounts | null> {
    if (!(await this.holdLease())) return null;
    const counts = await this.sweeper.sweep(this.clock.now());
    this.log('unsent attachments swept', { ...counts });
    return counts;
  }
}
