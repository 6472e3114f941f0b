/**
 * A named lease that lets one instance at a time run a periodic operation (the integration
 * monitor, the sweep of unsent attachments): one document, conditional writes.
 */
export interface OperationLease {
  /** Takes (or renews) the lease for `holder` until `until`, unless another holder's lease is unexpired. */
  acquire(holder: string, until: Date, now: Date): Promise<boolean>;
  /** Gives the lease up (at shutdown) so another instance takes over at its next tick. */
  release(holder: string): Promise<void>;
}
