import fc from 'fast-check';
import twilio from 'twilio';
import { TwilioSignatureVerifier } from '../../../src/infrastructure/twilio/twilio-signature.verifier';

const verifier = new TwilioSignatureVerifier();
const TOKEN = '0123456789abcdef0123456789abcdef';
const URLS = [
  'https://zapdesk.example.com/ticket-messages/webhook',
  'https://zapdesk.example.com/ticket-messages/status?messageId=65f0c0ffee0123456789abcd',
  'http://localhost:3000/ticket-messages/status?messageId=65f0c0ffee0123456789abcd&attempt=2',
  'https://api.example.com:8443/zapdesk/ticket-messages/webhook?tenant=acme&x=%20y',
];
const PARAMS: Record<string, string> = {
  AccountSid: `AC${'1'.repeat(32)}`,
  MessageSid: `SM${'2'.repeat(32)}`,
  From: 'whatsapp:+5511990000001',
  To: 'whatsapp:+14155550100',
  Body: 'Olá! Preciso de ajuda com o pedido #42 & mais',
  NumMedia: '0',
  ProfileName: 'Ana',
};

const sign = (url: string, params = PARAMS, token = TOKEN) => twilio.getExpectedTwilioSignature(token, url, { ...params });
const check = (url: string, signature: string, params = PARAMS, token = TOKEN) => verifier.verify({ authToken: token, signature, url, params });

/** A different character that no URL normalisation maps back (case, escapes) to the original. */
function otherChar(c: string): string {
  return c === 'q' || c === 'Q' ? 'z' : 'q';
}
function changeAt(text: string, index: number): string {
  return text.slice(0, index) + otherChar(text[index]!) + text.slice(index + 1);
}

describe('Twilio webhook signatures (checked with the twilio package helper)', () => {
  it.each(URLS)('accepts the signature Twilio computes for %s', (url) => {
    expect(check(url, sign(url))).toBe(true);
  });

  it('accepts SHA-256 signatures when Twilio announces that algorithm', () => {
    const url = URLS[1]!;
    const signature = twilio.getExpectedTwilioSignature(TOKEN, url, { ...PARAMS }, 'HMAC_SHA256');
    expect(verifier.verify({ authToken: TOKEN, signature, url, params: PARAMS, signatureSettings: 'algorithm=HMAC_SHA256' })).toBe(true);
    expect(check(url, signature)).toBe(false);
  });

  it.each(URLS)('refuses every single-character change of the URL %s', (url) => {
    const signature = sign(url);
    for (let i = 0; i < url.length; i += 1) expect([i, check(changeAt(url, i), signature)]).toEqual([i, false]);
  });

  it('refuses every single-character change of a parameter name or value', () => {
    const url = URLS[2]!;
    const signature = sign(url);
    for (const [name, value] of Object.entries(PARAMS)) {
      for (let i = 0; i < value.length; i += 1) {
        expect([name, i, check(url, signature, { ...PARAMS, [name]: changeAt(value, i) })]).toEqual([name, i, false]);
      }
      for (let i = 0; i < name.length; i += 1) {
        const { [name]: moved, ...rest } = PARAMS;
        expect([name, i, check(url, signature, { ...rest, [changeAt(name, i)]: moved! })]).toEqual([name, i, false]);
      }
    }
  });

  it('refuses an added or a removed parameter', () => {
    const url = URLS[0]!;
    const signature = sign(url);
    expect(check(url, signature, { ...PARAMS, Extra: '' })).toBe(false);
    const { Body: _body, ...withoutBody } = PARAMS;
    expect(check(url, signature, withoutBody)).toBe(false);
  });

  it('refuses every single-character change of the auth token', () => {
    const url = URLS[1]!;
    const signature = sign(url);
    for (let i = 0; i < TOKEN.length; i += 1) expect([i, check(url, signature, PARAMS, changeAt(TOKEN, i))]).toEqual([i, false]);
    for (let i = 0; i < signature.length; i += 1) expect([i, check(url, changeAt(signature, i))]).toEqual([i, false]);
  });

  it('holds for arbitrary parameters: valid passes, any one changed value fails', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,11}$/), fc.string({ maxLength: 40 }), { minKeys: 1, maxKeys: 8 }),
        fc.nat(),
        (params, pick) => {
          const url = URLS[3]!;
          const signature = sign(url, params);
          expect(check(url, signature, params)).toBe(true);
          const names = Object.keys(params);
          const name = names[pick % names.length]!;
          expect(check(url, signature, { ...params, [name]: `${params[name]}q` })).toBe(false);
        },
      ),
    );
  });

  it('signs the URL without the connection-override fragment, which Twilio never sends', () => {
    const configured = 'https://zapdesk.example.com/ticket-messages/webhook#rc=3&rp=5xx,ct,rt';
    const requested = configured.slice(0, configured.indexOf('#'));
    expect(check(requested, sign(requested))).toBe(true);
    expect(check(requested, sign(configured))).toBe(false);
  });

  it('answers false, not an exception, for a URL that does not parse', () => {
    expect(check('not a url', sign('https://zapdesk.example.com/'))).toBe(false);
  });
});
