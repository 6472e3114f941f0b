import { randomUUID } from 'node:crypto';
import { IntegrationMonitor } from '../../application/integration/monitoring/integration-monitor';
import { Clock } from '../../application/ports/clock.port';
import { IntegrationMonitorStore } from '../../application/ports/integration-monitor-store.port';
import { BackgroundWorker } from '../di/core-module';
import { PeriodicWorker } from './periodic-worker';

/**
 * Every `intervalMs`, the instance holding the monitor lease runs one monitor pass (the lease
 * is renewed at each tick, so the holder keeps it; another instance takes over once it lapses
 * or is released at shutdown). The lease saves Twilio calls; correctness does not rest on it:
 * the monitor's conditional writes make every notification happen once even if two passes overlap.
 */
export class IntegrationMonitorWorker implements BackgroundWorker {
  private readonly holder = randomUUID();
  private readonly periodic: PeriodicWorker;

  constructor(
    private readonly monitor: () => IntegrationMonitor,
    private readonly store: IntegrationMonitorStore,
    private readonly clock: Clock,
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
    await this.store.releaseMonitorLease(this.holder).catch(() => undefined);
  }

  /** One tick: a pass if this instance holds (or takes) the lease; answers whether it ran one. */
  async tick(): Promise<boolean> {
    if (!(await this.holdLease())) return false;
    // A long pass renews the lease page by page, and stops if another instance took it over.
    await this.monitor().runPass(() => this.holdLease());
    return true;
  }

  private holdLease(): Promise<boolean> {
    const now = this.clock.now();
    // Short enough that a crashed holder is replaced soon; renewed at every tick and page.
    const until = new Date(now.getTime() + Math.max(3 * this.intervalMs, 30_000));
    return this.store.acquireMonitorLease(this.holder, until, now);
  }
}
