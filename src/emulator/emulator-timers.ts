/** Every timer the emulator starts, so `close()` can cancel them all and never hang. */
export class EmulatorTimers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  schedule(callback: () => void, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      callback();
    }, delayMs);
    this.pending.set(timer, () => undefined);
  }

  /** Resolves after `delayMs`, or as soon as the emulator closes. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, delayMs);
      this.pending.set(timer, resolve);
    });
  }

  clearAll(): void {
    this.closed = true;
    for (const [timer, release] of this.pending) {
      clearTimeout(timer);
      release();
    }
    this.pending.clear();
  }
}
