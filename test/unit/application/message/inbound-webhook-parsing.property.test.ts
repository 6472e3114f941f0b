import fc from 'fast-check';
import { parseInboundWhatsAppMessage } from '../../../../src/application/message/receive-message/inbound-whatsapp-message';
import { DomainError } from '../../../../src/domain/shared/domain-error';
import type { WebhookParams } from '../../../../src/application/ports/webhook-signature.port';

/**
 * Hostile inbound webhook parameters (huge and unicode values, repeated keys, missing fields,
 * prototype-ish names): the parse either succeeds with exactly what was sent or refuses with a
 * WEBHOOK.MALFORMED error (400) naming the fields; it never throws anything else.
 */

const FIELDS = ['MessageSid', 'SmsMessageSid', 'AccountSid', 'From', 'To', 'Body', 'NumMedia', 'MediaUrl0', 'MediaContentType0', 'ProfileName', 'WaId', 'Latitude', 'ButtonText'];
const hostileName = fc.oneof(fc.constantFrom(...FIELDS, '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''), fc.string({ unit: 'binary', maxLength: 20 }));
const hostileValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('', ' ', '0', '-1', '99', '1e3', 'NaN', 'whatsapp:', 'whatsapp:+', `SM${'a'.repeat(32)}`, 'http://', 'javascript:alert(1)'),
  fc.integer({ min: 0, max: 40_000 }).map((n) => 'x'.repeat(n)),
);
const valueOrRepeated = fc.oneof({ weight: 4, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.array(hostileValue, { minLength: 0, maxLength: 3 }) });
const hostileParams = fc.dictionary(hostileName, valueOrRepeated, { maxKeys: 14 }).map((params) => params as WebhookParams);

const sid = fc.stringMatching(/^SM[0-9a-f]{32}$/);
const customer = fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }).map((n) => `+1${n}`);

function parseOutcome(params: WebhookParams): 'parsed' | 'malformed' {
  try {
    parseInboundWhatsAppMessage(params);
    return 'parsed';
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'WEBHOOK.MALFORMED', kind: 'invalid' });
    expect((error as DomainError).details?.length).toBeGreaterThan(0);
    return 'malformed';
  }
}

describe('inbound webhook parsing under hostile input', () => {
  it('arbitrary parameters: a parse or a WEBHOOK.MALFORMED refusal with details, never another error', () => {
    fc.assert(
      fc.property(hostileParams, (params) => {
        parseOutcome(params);
      }),
      { numRuns: 400 },
    );
  });

  it('valid messages among hostile extras: parsed with the body, sender and profile exactly as sent', () => {
    fc.assert(
      fc.property(sid, customer, fc.string({ unit: 'grapheme', maxLength: 1600 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => !FIELDS.includes(k) && !/^(MediaUrl|MediaContentType|Latitude|Longitude|Address|Label|ButtonPayload|OriginalRepliedMessageSid)/.test(k)), hostileValue, { maxKeys: 5 }), (messageSid, from, body, profileName, extras) => {
        const parsed = parseInboundWhatsAppMessage({ ...extras, MessageSid: messageSid, From: `whatsapp:${from}`, Body: body, ProfileName: profileName, NumMedia: '0' });
        expect(parsed).toMatchObject({ messageSid, from, body, profileName: profileName === '' ? null : profileName, media: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('a parameter sent twice where one is expected is refused, naming it', () => {
    fc.assert(
      fc.property(sid, customer, fc.constantFrom('MessageSid', 'From', 'Body', 'NumMedia', 'ProfileName'), fc.array(hostileValue, { minLength: 2, maxLength: 3 }), (messageSid, from, repeated, values) => {
        const params: WebhookParams = { MessageSid: messageSid, From: `whatsapp:${from}`, Body: 'Olá', NumMedia: '0', ProfileName: 'Ana', [repeated]: values };
        expect(parseOutcome(params)).toBe('malformed');
        try {
          parseInboundWhatsAppMessage(params);
        } catch (error) {
          expect((error as DomainError).details!.map((d) => d.field)).toContain(repeated);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a missing MessageSid or From is refused, naming it', () => {
    fc.assert(
      fc.property(sid, customer, fc.constantFrom('MessageSid', 'From'), (messageSid, from, missing) => {
        const params: Record<string, string> = { MessageSid: messageSid, From: `whatsapp:${from}`, Body: 'Olá' };
        delete params[missing];
        try {
          parseInboundWhatsAppMessage(params);
          throw new Error('parsed without ' + missing);
        } catch (error) {
          expect((error as DomainError).details!.map((d) => d.field)).toContain(missing);
        }
      }),
    );
  });
});
