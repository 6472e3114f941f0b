/**
 * Readable explanations of the Twilio error codes a WhatsApp message can fail with. Twilio
 * often sends an empty ErrorMessage in status callbacks, so agents read these instead.
 * Source: Twilio's error dictionary (twilio.com/docs/api/errors).
 */
const MESSAGE_ERRORS: Readonly<Record<number, string>> = {
  20003: 'Twilio refused the account credentials',
  20429: 'Twilio is rate limiting requests; the message will be retried',
  21211: 'The customer number is not a valid phone number',
  21408: 'Sending to this region is not enabled on the Twilio account',
  21610: 'The customer has opted out of messages from this number (STOP)',
  21614: 'The customer number is not a mobile number',
  21703: 'The messaging service has no sender able to send this message',
  30001: 'Twilio queue overflow: too many messages queued for this sender',
  30002: 'The Twilio account is suspended',
  30003: 'The customer phone is unreachable (switched off or out of coverage)',
  30004: 'The message was blocked by the customer or their carrier',
  30005: 'The customer number is unknown or no longer exists',
  30006: 'The customer number cannot receive this message (landline or unreachable carrier)',
  30007: 'The message was filtered as spam by the carrier',
  30008: 'The message could not be delivered for an unknown reason',
  63001: 'WhatsApp could not authenticate the sender channel',
  63003: 'The customer number is not on WhatsApp',
  63005: 'WhatsApp refused the message content',
  63007: 'The WhatsApp sender is not registered or not online',
  63013: 'WhatsApp refused the message because it breaks the channel policy',
  63016: 'Free-form messages are only allowed within 24 hours of the customer\'s last message; send a template instead',
  63018: 'The WhatsApp sender exceeded its throughput; the message will be retried',
  63024: 'The customer number is not a valid WhatsApp recipient',
  63030: 'A template parameter is not supported by WhatsApp',
  63032: 'The customer has chosen not to receive marketing messages from this business',
  63049: 'Meta chose not to deliver this marketing message',
};

/** Our explanation of a Twilio code, else Twilio's own text, else a generic one. */
export function describeMessageError(code: number | null, twilioMessage?: string | null): string {
  if (code !== null && MESSAGE_ERRORS[code] !== undefined) return MESSAGE_ERRORS[code];
  const given = twilioMessage?.trim();
  if (given) return given;
  return code === null ? 'The message could not be delivered' : `The message could not be delivered (Twilio error ${code})`;
}

/** The customer opted out (STOP): sends are refused until they write again. */
export const OPTED_OUT_ERROR_CODE = 21610;
