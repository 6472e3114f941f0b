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
    const now = this.clock.now();
    // Long enough to cover a slow pass; short enough that a crashed holder is replaced soon.
    const until = new Date(now.getTime() + Math.max(3 * this.intervalMs, 30_000));
    if (!(await this.store.acquireMonitorLease(this.holder, until, now))) return false;
    await this.monitor().runPass();
    return true;
  }
}
