import { MessageError } from '../../domain/message/message';
import { TwilioGatewayError } from '../ports/twilio-gateway.port';
import { OPTED_OUT_ERROR_CODE, describeMessageError } from '../message/twilio-error-codes';
import { DeliverySettings } from './delivery-settings';

/**
 * What to do after a failed send:
 * - `retry`: Twilio answered and refused for now (5xx, 429/20429, 63018): queue again after `delayMs`;
 * - `fail`: permanent (21211, 21610, 63016, ...), auth (20003), or the attempt budget is spent;
 * - `unconfirmed`: no answer (timeout, network): Twilio may have accepted the message, so it
 *   stays `sending` and is reconciled against Twilio after `delayMs` before any resend.
 */
export type FailureDecision =
  | { readonly kind: 'retry'; readonly error: MessageError; readonly delayMs: number }
  | { readonly kind: 'fail'; readonly error: MessageError; readonly optedOut: boolean; readonly authFailed: boolean }
  | { readonly kind: 'unconfirmed'; readonly delayMs: number };

/**
 * Exponential backoff with "equal jitter" (half fixed, half random, so retries of many
 * messages spread out without ever collapsing to zero), never shorter than Twilio's Retry-After.
 */
export function backoffDelayMs(attempt: number, settings: Pick<DeliverySettings, 'backoffBaseMs' | 'backoffMaxMs'>, random: () => number, retryAfterMs?: number): number {
  const exponential = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.ceil(Math.max(jittered, retryAfterMs ?? 0));
}

/** The stored error of a Twilio failure: its code and a readable, secret-free text. */
export function messageErrorOf(error: unknown): MessageError {
  if (error instanceof TwilioGatewayError) {
    const code = error.twilioCode ?? null;
    return { code, message: describeMessageError(code, error.message) };
  }
  return { code: null, message: describeMessageError(null) };
}

/** `attempts` counts the attempt that just failed. */
export function decideAfterFailure(error: unknown, attempts: number, settings: DeliverySettings, random: () => number): FailureDecision {
  if (!(error instanceof TwilioGatewayError) || (error.kind === 'transient' && error.httpStatus === undefined)) {
    return { kind: 'unconfirmed', delayMs: Math.max(settings.unconfirmedSettleMs, backoffDelayMs(attempts, settings, random)) };
  }
  const stored = messageErrorOf(error);
  if (error.kind === 'transient') {
    if (attempts < settings.maxAttempts) return { kind: 'retry', error: stored, delayMs: backoffDelayMs(attempts, settings, random, error.retryAfterMs) };
    return { kind: 'fail', error: stored, optedOut: false, authFailed: false };
  }
  return { kind: 'fail', error: stored, optedOut: error.twilioCode === OPTED_OUT_ERROR_CODE, authFailed: error.kind === 'auth' };
}
