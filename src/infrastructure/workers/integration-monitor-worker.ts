import { IntegrationMonitor } from '../../application/integration/monitoring/integration-monitor';
import { Clock } from '../../application/ports/clock.port';
import { IntegrationMonitorStore } from '../../application/ports/integration-monitor-store.port';
import { LeasedPeriodicWorker } from './leased-periodic-worker';

/**
 * Every `intervalMs`, the instance holding the monitor lease runs one monitor pass. The lease
 * saves Twilio calls; correctness does not rest on it: the monitor's conditional writes make
 * every notification happen once even if two passes overlap.
 */
export class IntegrationMonitorWorker extends LeasedPeriodicWorker {
  constructor(
    private readonly monitor: () => IntegrationMonitor,
    store: IntegrationMonitorStore,
    clock: Clock,
    intervalMs: number,
    reportError: (error: unknown) => void,
  ) {
    super({ acquire: (holder, until, now) => store.acquireMonitorLease(holder, until, now), release: (holder) => store.releaseMonitorLease(holder) }, clock, intervalMs, reportError);
  }

  /** One tick: a pass if this instance holds (or takes) the lease; answers whether it ran one. */
  async tick(): Promise<boolean> {
    if (!(await this.holdLease())) return false;
    // A long pass renews the lease page by page, and stops if another instance took it over.
    await this.monitor().runPass(() => this.holdLease());
    return true;
  }
}
