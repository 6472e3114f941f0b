import { randomUUID } from 'node:crypto';
import twilio from 'twilio';

/** Twilio-style webhook delivery: form-encoded, signed with the SDK's own algorithm, fragment stripped. */

export interface WebhookDelivery {
  /** The URL actually requested (without the connection-override fragment). */
  readonly url: string;
  /** HTTP status, or undefined when no response came (connection error, timeout). */
  readonly status: number | undefined;
  readonly body: string;
  readonly error?: string;
}

export interface SignedPostOptions {
  readonly authToken: string;
  /** Sends this signature instead of the right one (to test rejection). */
  readonly signatureOverride?: string;
  readonly timeoutMs?: number;
}

/** Twilio never sends (nor signs) the `#rc=..` connection-override fragment. */
export function stripFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

export function signWebhook(authToken: string, url: string, params: Readonly<Record<string, string>>): string {
  return twilio.getExpectedTwilioSignature(authToken, stripFragment(url), { ...params });
}

export async function postSignedForm(
  targetUrl: string,
  params: Readonly<Record<string, string>>,
  options: SignedPostOptions,
): Promise<WebhookDelivery> {
  const url = stripFragment(targetUrl);
  const signature = options.signatureOverride ?? signWebhook(options.authToken, url, params);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'X-Twilio-Signature': signature,
        'User-Agent': 'TwilioProxy/1.1',
        'I-Twilio-Idempotency-Token': randomUUID(),
        Accept: '*/*',
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      redirect: 'manual',
    });
    return { url, status: response.status, body: await response.text() };
  } catch (error: unknown) {
    return { url, status: undefined, body: '', error: describe(error) };
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

/** Twilio's connection overrides (`#rc=3&rp=5xx,ct,rt&rt=..`), as far as the emulator honours them. */
export interface ConnectionOverrides {
  readonly retryCount: number;
  readonly retryOn5xx: boolean;
  readonly retryOnConnectionError: boolean;
  readonly readTimeoutMs: number | undefined;
}

export function parseConnectionOverrides(url: string): ConnectionOverrides {
  const hash = url.indexOf('#');
  const fragment = new URLSearchParams(hash < 0 ? '' : url.slice(hash + 1));
  const policy = (fragment.get('rp') ?? '').split(',');
  const rt = Number(fragment.get('rt'));
  return {
    retryCount: Math.min(Number(fragment.get('rc')) || 0, 5),
    retryOn5xx: policy.includes('5xx') || policy.includes('all'),
    retryOnConnectionError: policy.includes('ct') || policy.includes('rt') || policy.includes('all'),
    readTimeoutMs: Number.isFinite(rt) && rt > 0 ? rt : undefined,
  };
}

/** POSTs like Twilio's webhook engine: retries per the fragment's policy. */
export async function postWithOverrides(
  targetUrl: string,
  params: Readonly<Record<string, string>>,
  options: SignedPostOptions,
): Promise<WebhookDelivery[]> {
  const overrides = parseConnectionOverrides(targetUrl);
  const attempts: WebhookDelivery[] = [];
  for (let attempt = 0; attempt <= overrides.retryCount; attempt += 1) {
    const delivery = await postSignedForm(targetUrl, params, {
      ...options,
      timeoutMs: overrides.readTimeoutMs ?? options.timeoutMs,
    });
    attempts.push(delivery);
    const retryable =
      (delivery.status === undefined && overrides.retryOnConnectionError) ||
      (delivery.status !== undefined && delivery.status >= 500 && overrides.retryOn5xx);
    if (!retryable) break;
  }
  return attempts;
}
