import fc from 'fast-check';

/** Valid bare E.164 numbers: "+", a non-zero digit, 7-15 digits in all. */
export const e164 = (): fc.Arbitrary<string> =>
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 14 }))
    .map(([first, rest]) => `+${first}${rest}`);

/** The same numbers as people and Twilio write them: with `whatsapp:`, spaces, dashes, brackets. */
export const decoratedE164 = (): fc.Arbitrary<{ raw: string; expected: string }> =>
  e164().chain((number) =>
    fc
      .record({
        prefix: fc.constantFrom('', 'whatsapp:', 'WhatsApp:'),
        separators: fc.array(fc.constantFrom(' ', '-', '(', ')', '.'), { maxLength: number.length }),
        pad: fc.constantFrom('', ' ', '  '),
      })
      .map(({ prefix, separators, pad }) => {
        const digits = number.slice(1).split('');
        const decorated = digits.map((d, i) => (separators[i] ?? '') + d).join('');
        return { raw: `${pad}${prefix}+${decorated}${pad}`, expected: number };
      }),
  );

export const accountSid = (): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }).map((hex) => `AC${hex}`);

export const authTokenValue = (): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });

export const companyId = (): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 1, maxLength: 24 });
