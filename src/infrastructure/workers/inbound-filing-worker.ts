import { InboundFilingProcess } from '../../application/message/inbound-inbox/inbound-filing.process';
import { BackgroundWorker } from '../di/core-module';

/** Sweeps the inbox for messages nobody filed (a crash, a failure) and drains on shutdown. */
export class InboundFilingWorker implements BackgroundWorker {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly filing: InboundFilingProcess,
    private readonly sweepEveryMs: number,
    private readonly reportError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    const sweep = () => {
      this.sweeping = this.filing.sweep().catch(this.reportError);
    };
    sweep();
    this.timer = setInterval(sweep, this.sweepEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
    await this.filing.idle();
  }
}
