import { TwilioIntegration } from '../../domain/integration/twilio-integration';

/**
 * What the integration monitor needs of storage beyond the repository: its work list across
 * companies and the lease that lets one instance at a time run a pass. Changes it finds are
 * saved through the repository's versioned write, so of two passes that saw the same change
 * only one stores it (and only that one notifies).
 */
export interface IntegrationMonitorStore {
  /** `active` and `error` integrations of every company, by id after `afterId`: one page of a pass. */
  listMonitored(afterId: string | null, limit: number): Promise<TwilioIntegration[]>;
  /**
   * Takes (or renews) the monitor lease for `holder` until `until`, unless another holder's
   * lease is unexpired: one conditional write on the one lease document.
   */
  acquireMonitorLease(holder: string, until: Date, now: Date): Promise<boolean>;
  /** Gives the lease up (at shutdown) so another instance takes over at its next tick. */
  releaseMonitorLease(holder: string): Promise<void>;
}
