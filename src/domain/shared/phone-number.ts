import { InvalidValueError } from './domain-error';

const WHATSAPP_PREFIX = /^whatsapp:/i;
/** Separators people type inside numbers; removed before validation. */
const SEPARATORS = /[\s\-().]/g;
/** ITU-T E.164: "+", a non-zero country digit, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Normalises a phone number as Twilio and WhatsApp write it (`+14155550100`,
 * `whatsapp:+14155550100`, `+1 (415) 555-0100`) to bare E.164, or throws.
 * Idempotent: normalising a normalised number returns it unchanged.
 */
export function normalizeE164(raw: unknown, field = 'phoneNumber'): string {
  if (typeof raw !== 'string' || raw.length > 64) {
    throw new InvalidValueError(field, 'must be an E.164 phone number such as +14155550100');
  }
  const bare = raw.trim().replace(WHATSAPP_PREFIX, '').replace(SEPARATORS, '');
  if (!E164.test(bare)) {
    throw new InvalidValueError(field, 'must be an E.164 phone number such as +14155550100');
  }
  return bare;
}

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** `whatsapp:+14155550100`, the address form of Twilio's WhatsApp channel. */
export function toWhatsAppAddress(e164: string): string {
  return `whatsapp:${normalizeE164(e164)}`;
}
