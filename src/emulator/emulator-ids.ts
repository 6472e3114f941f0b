import { randomBytes } from 'node:crypto';

/** Two-letter SID prefixes the emulator hands out (Twilio's own). */
export type SidPrefix = 'AC' | 'PN' | 'SM' | 'MM' | 'ME' | 'XE' | 'PA' | 'HX';

const issued = new Set<string>();

/** A Twilio-shaped SID: prefix + 32 lowercase hex digits, unique within this process. */
export function newSid(prefix: SidPrefix): string {
  for (;;) {
    const sid = prefix + randomBytes(16).toString('hex');
    if (!issued.has(sid)) {
      issued.add(sid);
      return sid;
    }
  }
}

/** Auth tokens are 32 hex digits, like Twilio's. */
export function newAuthToken(): string {
  return randomBytes(16).toString('hex');
}

/** Twilio's 2010 API dates: RFC 2822, e.g. `Thu, 30 Jul 2015 20:12:31 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** Twilio's v2 APIs and webhooks use ISO 8601 without milliseconds. */
export function iso8601(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const E164 = /^\+[1-9]\d{6,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** `whatsapp:+15551234567` → `+15551234567`; anything else → undefined. */
export function parseWhatsAppAddress(value: string | undefined): string | undefined {
  if (value === undefined || !value.startsWith('whatsapp:')) return undefined;
  const number = value.slice('whatsapp:'.length);
  return isE164(number) ? number : undefined;
}
