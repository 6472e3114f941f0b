import fc from 'fast-check';
import { backoffDelayMs, decideAfterFailure } from '../../../src/application/delivery/delivery-policy';
import { DEFAULT_DELIVERY_SETTINGS, DeliverySettings } from '../../../src/application/delivery/delivery-settings';
import { TwilioGatewayError } from '../../../src/application/ports/twilio-gateway.port';

const settings: DeliverySettings = { ...DEFAULT_DELIVERY_SETTINGS, maxAttempts: 5, backoffBaseMs: 1000, backoffMaxMs: 60_000, unconfirmedSettleMs: 15_000 };
const half = () => 0.5;
const http = (status: number, code: number, kind: TwilioGatewayError['kind'], retryAfterMs?: number) =>
  new TwilioGatewayError(kind, code, status, `sendMessage failed: HTTP ${status}, Twilio error ${code}: x`, retryAfterMs);

describe('backoff', () => {
  it('grows exponentially with equal jitter, stays within [step/2, step], is capped, and never undercuts Retry-After', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }), (attempt, r, retryAfter) => {
        const step = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** (attempt - 1));
        const delay = backoffDelayMs(attempt, settings, () => r, retryAfter);
        expect(delay).toBeGreaterThanOrEqual(Math.max(step / 2, retryAfter ?? 0));
        expect(delay).toBeLessThanOrEqual(Math.ceil(Math.max(step, retryAfter ?? 0)));
      }),
    );
  });

  it('spreads retries of the same attempt (jitter)', () => {
    const delays = new Set(Array.from({ length: 20 }, (_, i) => backoffDelayMs(3, settings, () => i / 20)));
    expect(delays.size).toBe(20);
  });
});

describe('what happens after a failed send', () => {
  it.each([
    ['503', http(503, 20503, 'transient')],
    ['500', http(500, 20500, 'transient')],
    ['429 / 20429', http(429, 20429, 'transient')],
    ['63018 sender throughput', http(400, 63018, 'transient')],
  ])('%s is retried with backoff while attempts remain', (_, error) => {
    const decision = decideAfterFailure(error, 2, settings, half);
    expect(decision).toMatchObject({ kind: 'retry', error: { code: error.twilioCode } });
    if (decision.kind === 'retry') expect(decision.delayMs).toBe(backoffDelayMs(2, settings, half));
  });

  it('honours Retry-After', () => {
    expect(decideAfterFailure(http(429, 20429, 'transient', 45_000), 1, settings, half)).toMatchObject({ kind: 'retry', delayMs: 45_000 });
  });

  it('fails a transient error once the attempt budget is spent', () => {
    expect(decideAfterFailure(http(503, 20503, 'transient'), 5, settings, half)).toMatchObject({ kind: 'fail', error: { code: 20503 }, optedOut: false, authFailed: false });
  });

  it.each([
    [21211, 'The customer number is not a valid phone number', false],
    [63016, 'Free-form messages are only allowed within 24 hours', false],
    [21610, 'opted out', true],
  ])('fails %s at once with a readable error', (code, text, optedOut) => {
    const decision = decideAfterFailure(http(400, code, 'permanent'), 1, settings, half);
    expect(decision).toMatchObject({ kind: 'fail', error: { code }, optedOut, authFailed: false });
    if (decision.kind === 'fail') expect(decision.error.message).toContain(text);
  });

  it('fails on 20003 and flags the integration', () => {
    expect(decideAfterFailure(http(401, 20003, 'auth'), 1, settings, half)).toMatchObject({ kind: 'fail', error: { code: 20003 }, authFailed: true });
  });

  it('treats a send without an answer (timeout, network, unknown error) as unconfirmed: reconcile after the settle time, never resend blindly', () => {
    const timeout = new TwilioGatewayError('transient', undefined, undefined, 'sendMessage: timeout of 2000ms exceeded (ECONNABORTED)');
    expect(decideAfterFailure(timeout, 1, settings, half)).toEqual({ kind: 'unconfirmed', delayMs: 15_000 });
    expect(decideAfterFailure(new Error('boom'), 9, settings, half)).toMatchObject({ kind: 'unconfirmed' });
  });
});
