import { InvalidValueError } from '../shared/domain-error';
import { EncryptedSecret } from './auth-token';

/** What the balance watch last read: the account's own balance, or its master's for a provisioned subaccount. */
export interface AccountBalance {
  readonly amount: number;
  readonly currency: string;
  /** When this amount was read (kept when a later read finds the same amount). */
  readonly checkedAt: Date;
}

/** One webhook setting of the number that is not what Zapdesk expects. */
export interface WebhookDriftField {
  readonly field: 'smsUrl' | 'smsMethod' | 'smsFallbackUrl' | 'statusCallback';
  readonly expected: string | null;
  readonly actual: string | null;
}

export interface WebhookDrift {
  readonly fields: readonly WebhookDriftField[];
  readonly detectedAt: Date;
}

/**
 * The operations side of an integration: settings of the monitor (low-balance threshold,
 * webhook auto-repair), what it observed (balance, webhook drift), and a token rotation in
 * progress (the secondary auth token, encrypted, until it is promoted).
 */
export interface IntegrationOperations {
  /** Alert below this balance; null: the service's default (BALANCE_ALERT_THRESHOLD). */
  readonly lowBalanceThreshold: number | null;
  /** Re-point the number's webhooks as soon as the monitor finds them drifted. */
  readonly autoRepairWebhook: boolean;
  readonly balance: AccountBalance | null;
  /** Whether the balance is below the threshold: the admins were told when it became true. */
  readonly balanceLow: boolean;
  readonly webhookDrift: WebhookDrift | null;
  /** A secondary auth token created at Twilio and not promoted yet; webhooks signed with it are accepted too. */
  readonly pendingAuthToken: EncryptedSecret | null;
}

export const NO_OPERATIONS: IntegrationOperations = {
  lowBalanceThreshold: null,
  autoRepairWebhook: false,
  balance: null,
  balanceLow: false,
  webhookDrift: null,
  pendingAuthToken: null,
};

export const MAX_BALANCE_THRESHOLD = 1_000_000;

export function checkBalanceThreshold(value: number | null): number | null {
  if (value === null) return null;
  if (!Number.isFinite(value) || value < 0 || value > MAX_BALANCE_THRESHOLD) {
    throw new InvalidValueError('lowBalanceThreshold', `must be a number from 0 to ${MAX_BALANCE_THRESHOLD}, or null for the default`);
  }
  return value;
}

export function sameDrift(a: readonly WebhookDriftField[], b: readonly WebhookDriftField[]): boolean {
  const key = (fields: readonly WebhookDriftField[]) => JSON.stringify([...fields].sort((x, y) => x.field.localeCompare(y.field)));
  return key(a) === key(b);
}
