/** Tunables of the delivery pipeline (env DELIVERY_*; see the README's outbound section). */
export interface DeliverySettings {
  /** Attempts (Twilio calls) before a transient failure becomes final. */
  readonly maxAttempts: number;
  /** How long a claimed `sending` attempt belongs to its worker before others reconcile it. */
  readonly leaseMs: number;
  /**
   * A send starts only while at least this much of the lease remains. It must exceed the
   * Twilio request timeout, so a call always ends before anyone else may reconcile it.
   */
  readonly sendDeadlineMarginMs: number;
  /** First retry delay; doubles per attempt (with jitter) up to `backoffMaxMs`. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** How long a message behind an earlier one of its ticket stays out of the due list (a hint). */
  readonly parkMs: number;
  /**
   * After a send got no answer (timeout, network), how long to wait before asking Twilio
   * whether it got the message: Twilio may still be processing a request we gave up on.
   */
  readonly unconfirmedSettleMs: number;
  /** Clock-skew margin of the by-date Twilio lookup when reconciling an attempt whose SID was never stored. */
  readonly reconcileSkewMs: number;
  /** Messages of one ticket one worker lane delivers back to back before it yields. */
  readonly maxChain: number;
  /**
   * How late after its send slot a send may still start. A worker held up longer (a busy
   * process) takes a later slot instead: a late send followed by punctual ones could crowd more
   * sends into one second than the number's rate. Must stay below the slots' guard room.
   */
  readonly sendSlotToleranceMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  maxAttempts: 5,
  leaseMs: 60_000,
  sendDeadlineMarginMs: 20_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  parkMs: 5_000,
  unconfirmedSettleMs: 15_000,
  reconcileSkewMs: 5_000,
  maxChain: 50,
  sendSlotToleranceMs: 50,
};
