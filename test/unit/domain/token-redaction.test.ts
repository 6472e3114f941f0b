import { inspect } from 'node:util';
import fc from 'fast-check';
import { AuthToken } from '../../../src/domain/integration/auth-token';
import { TwilioIntegration } from '../../../src/domain/integration/twilio-integration';
import { accountSid, authTokenValue } from '../../support/domain-arbitraries';

describe('auth token redaction', () => {
  it('no way of printing a token or an object holding it reveals it', () => {
    fc.assert(
      fc.property(authTokenValue(), fc.string({ maxLength: 10 }), (raw, label) => {
        const token = AuthToken.of(raw);
        const holder = { label, token, nested: [{ token }] };
        const renderings = [
          String(token),
          `${token}`,
          JSON.stringify(token),
          JSON.stringify(holder),
          inspect(holder, { depth: 10 }),
          inspect(token, { showHidden: true }),
          Object.keys(token).join(','),
          JSON.stringify(Object.entries(token)),
        ];
        for (const text of renderings) expect(text).not.toContain(raw);
        expect(token.reveal()).toBe(raw);
      }),
    );
  });

  it('no serialisation of an integration aggregate, its snapshot or its events contains the token', () => {
    fc.assert(
      fc.property(accountSid(), authTokenValue(), (sid, raw) => {
        const token = AuthToken.of(raw);
        // The aggregate only ever holds the encrypted form; a careless caller passing clear
        // text through friendlyName or errors is what this guards against.
        const integration = TwilioIntegration.connectExisting({
          id: 'i',
          companyId: 'acme',
          accountSid: sid,
          authToken: { ciphertext: 'opaque', keyId: 'k1' },
          whatsappNumber: '+14155550100',
          webhookUrl: 'http://localhost/ticket-messages/webhook',
          now: new Date(),
        });
        integration.markFailed(`failed with ${token}`, new Date());
        const texts = [
          JSON.stringify(integration.toSnapshot()),
          inspect(integration, { depth: 10 }),
          JSON.stringify(integration.pullDomainEvents()),
        ];
        for (const text of texts) expect(text).not.toContain(raw);
      }),
    );
  });

  it('rejects values that cannot be auth tokens', () => {
    for (const bad of ['', 'short', 'with space inside tokenxx', 42, null, 'x'.repeat(200)]) {
      expect(() => AuthToken.of(bad)).toThrow(/authToken/);
    }
  });
});
