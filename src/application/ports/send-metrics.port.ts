/**
 * What a Twilio send attempt came to: `accepted` by Twilio, a transient failure to `retry`, a
 * final failure (`failed`), or no answer (`unconfirmed`: reconciled before any resend).
 */
export type SendOutcome = 'accepted' | 'retry' | 'failed' | 'unconfirmed';

/** Counts the delivery process's Twilio calls (operations metrics); optional everywhere. */
export interface SendMetrics {
  sendFinished(outcome: SendOutcome, attempt: number): void;
}
