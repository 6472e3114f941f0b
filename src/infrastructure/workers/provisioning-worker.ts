import { ProvisioningTrigger } from '../../application/integration/provisioning/provisioning-trigger';
import { ProvisioningProcessManager } from '../../application/integration/provisioning/provisioning.process-manager';

/**
 * Drives the provisioning saga: at start (resuming what a crash interrupted), on a timer
 * (sender reviews, retries) and when a new integration is created (`kick`).
 */
export class ProvisioningWorker implements ProvisioningTrigger {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly saga: () => ProvisioningProcessManager,
    private readonly intervalMs: number,
    private readonly reportError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running = this.track(this.saga().runDue());
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  kick(companyId: string, integrationId: string): void {
    this.track(this.saga().advance(companyId, integrationId));
  }

  /** Stops the timer and waits for steps under way (so shutdown never cuts a saved step in half). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await Promise.allSettled([...this.inFlight]);
  }

  private track(work: Promise<unknown>): Promise<unknown> {
    const guarded = work.catch((error: unknown) => this.reportError(error));
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
    return guarded;
  }
}
