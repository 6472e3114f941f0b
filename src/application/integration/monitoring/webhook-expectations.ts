import { WebhookDriftField } from '../../../domain/integration/integration-operations';
import { CONNECTION_OVERRIDE_FRAGMENT, INBOUND_WEBHOOK_PATH, NumberConfig, STATUS_CALLBACK_PATH } from '../../ports/twilio-gateway.port';

/**
 * Where Zapdesk points a number (what `configureWebhook` sets): SmsUrl with the retry fragment,
 * SmsMethod, SmsFallbackUrl. The number's StatusCallback is not set by Zapdesk (replies carry
 * their own), so it only counts as drift when it names Zapdesk's status path at another base
 * URL: a leftover of an old API_URL.
 */
export function webhookDrift(actual: NumberConfig, apiUrl: string, method: 'POST' | 'GET'): WebhookDriftField[] {
  const inbound = `${apiUrl}${INBOUND_WEBHOOK_PATH}`;
  const drift: WebhookDriftField[] = [];
  const expectSame = (field: WebhookDriftField['field'], expected: string, value: string | null) => {
    if (value !== expected) drift.push({ field, expected, actual: value });
  };
  expectSame('smsUrl', `${inbound}${CONNECTION_OVERRIDE_FRAGMENT}`, actual.smsUrl);
  expectSame('smsMethod', method, actual.smsMethod === null ? null : actual.smsMethod.toUpperCase());
  expectSame('smsFallbackUrl', inbound, actual.smsFallbackUrl);
  const status = actual.statusCallback;
  const ours = `${apiUrl}${STATUS_CALLBACK_PATH}`;
  if (status !== null && pathOf(status) === STATUS_CALLBACK_PATH && !status.startsWith(ours)) {
    drift.push({ field: 'statusCallback', expected: ours, actual: status });
  }
  return drift;
}

function pathOf(url: string): string | null {
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

/** What `configureWebhook` needs to undo this drift: a stale StatusCallback is replaced too. */
export function repairTarget(drift: readonly WebhookDriftField[], apiUrl: string, method: 'POST' | 'GET'): { apiUrl: string; method: 'POST' | 'GET'; statusCallbackUrl?: string } {
  const status = drift.find((f) => f.field === 'statusCallback');
  return { apiUrl, method, ...(status?.expected ? { statusCallbackUrl: status.expected } : {}) };
}
