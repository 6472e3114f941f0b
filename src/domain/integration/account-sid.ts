import { InvalidValueError } from '../shared/domain-error';

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;

/** A Twilio account SID: `AC` followed by 32 lowercase hex digits. */
export function assertAccountSid(raw: unknown, field = 'accountSid'): string {
  if (typeof raw !== 'string' || !ACCOUNT_SID.test(raw)) {
    throw new InvalidValueError(field, 'must be a Twilio account SID: "AC" followed by 32 hex digits');
  }
  return raw;
}
