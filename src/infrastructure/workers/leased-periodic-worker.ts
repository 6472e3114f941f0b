import { randomUUID } from 'node:crypto';
import { Clock } from '../../application/ports/clock.port';
import { OperationLease } from '../../application/ports/operation-lease.port';
import { BackgroundWorker } from '../di/core-module';
import { PeriodicWorker } from './periodic-worker';

/**
 * A periodic job that one instance at a time runs: every `intervalMs` the instance holding the
 * lease (or taking it: free, lapsed, or its own) runs `tick`. The lease is renewed at each tick,
 * so the holder keeps it; another instance takes over once it lapses or is released at shutdown.
 */
export abstract class LeasedPeriodicWorker implements BackgroundWorker {
  private readonly holder = randomUUID();
  private readonly periodic: PeriodicWorker;

  protected constructor(
    private readonly lease: OperationLease,
    protected readonly clock: Clock,
    private readonly intervalMs: number,
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

  /** One tick (tests call it directly instead of waiting for the timer). */
  abstract tick(): Promise<unknown>;

  /** Takes or renews the lease; false while another instance holds it. */
  protected holdLease(): Promise<boolean> {
    const now = this.clock.now();
    // Short enough that a crashed holder is replaced soon; renewed at every tick.
    const until = new Date(now.getTime() + Math.max(3 * this.intervalMs, 30_000));
    return this.lease.acquire(this.holder, until, now);
  }
}
