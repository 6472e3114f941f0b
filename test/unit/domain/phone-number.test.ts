import fc from 'fast-check';
import { isE164, normalizeE164, toWhatsAppAddress } from '../../../src/domain/shared/phone-number';
import { DomainError } from '../../../src/domain/shared/domain-error';
import { decoratedE164, e164 } from '../../support/domain-arbitraries';

describe('phone number normalisation', () => {
  it('reduces every written form of a number to the same bare E.164', () => {
    fc.assert(
      fc.property(decoratedE164(), ({ raw, expected }) => {
        expect(normalizeE164(raw)).toBe(expected);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(decoratedE164(), ({ raw }) => {
        const once = normalizeE164(raw);
        expect(normalizeE164(once)).toBe(once);
        expect(normalizeE164(toWhatsAppAddress(once))).toBe(once);
      }),
    );
  });

  it('rejects anything that is not E.164 once decorations are removed', () => {
    const notE164 = fc.string({ maxLength: 40 }).filter((s) => {
      const bare = s.trim().replace(/^whatsapp:/i, '').replace(/[\s\-().]/g, '');
      return !isE164(bare);
    });
    fc.assert(
      fc.property(notE164, (raw) => {
        expect(() => normalizeE164(raw)).toThrow(DomainError);
      }),
    );
  });

  it.each([
    ['14155550100', 'no plus sign'],
    ['+04155550100', 'leading zero country code'],
    ['+1415555010012345', 'more than 15 digits'],
    ['+12345', 'too short'],
    ['whatsapp:', 'prefix only'],
    ['+1415555abcd', 'letters'],
  ])('rejects %s (%s) with a field-level error', (raw) => {
    try {
      normalizeE164(raw, 'whatsappNumber');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details?.[0]?.field).toBe('whatsappNumber');
    }
  });

  it('rejects non-strings and huge strings', () => {
    for (const raw of [undefined, null, 14155550100, {}, '+1'.padEnd(200, '5')]) {
      expect(() => normalizeE164(raw)).toThrow(DomainError);
    }
    fc.assert(fc.property(e164(), (n) => expect(toWhatsAppAddress(n)).toBe(`whatsapp:${n}`)));
  });
});
