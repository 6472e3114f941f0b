import { BackgroundWorker } from '../di/core-module';

/** Runs `task` every `everyMs` (never two at once); stop waits for the run under way. */
export class PeriodicWorker implements BackgroundWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly everyMs: number,
    private readonly reportError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.runOnce(), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private runOnce(): void {
    if (this.busy) return;
    this.busy = true;
    this.running = this.task()
      .catch(this.reportError)
      .finally(() => (this.busy = false));
  }
}
