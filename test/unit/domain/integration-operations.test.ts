import fc from 'fast-check';
import { webhookDrift } from '../../../src/application/integration/monitoring/webhook-expectations';
import { TwilioIntegration } from '../../../src/domain/integration/twilio-integration';
import { DomainError } from '../../../src/domain/shared/domain-error';

const NOW = new Date('2026-11-30T12:00:00Z');
const API = 'https://zapdesk.example.com';

function existing(): TwilioIntegration {
  const integration = TwilioIntegration.connectExisting({
    id: 'int-1',
    companyId: 'acme',
    accountSid: `AC${'a'.repeat(32)}`,
    authToken: { ciphertext: 'old', keyId: 'k1' },
    whatsappNumber: '+14155550100',
    webhookUrl: `${API}/ticket-messages/webhook`,
    now: NOW,
  });
  integration.activate(NOW);
  integration.pullDomainEvents();
  return integration;
}

describe('integration monitoring rules', () => {
  it('a low balance is reported once per crossing, whatever the sequence of readings', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 40 }), fc.integer({ min: 1, max: 30 }), (amounts, threshold) => {
        const integration = existing();
        let reported = 0;
        let crossings = 0;
        let wasLow = false;
        for (const amount of amounts) {
          if (integration.recordBalance({ amount, currency: 'USD' }, threshold, NOW)) reported += 1;
          const low = amount < threshold;
          if (low && !wasLow) crossings += 1;
          wasLow = low;
          expect(integration.operations.balance?.amount).toBe(amount);
          expect(integration.operations.balanceLow).toBe(low);
        }
        expect(reported).toBe(crossings);
      }),
    );
  });

  it('the same reading twice changes nothing (no write, no event)', () => {
    const integration = existing();
    integration.recordBalance({ amount: 12, currency: 'USD' }, 10, NOW);
    integration.pullDomainEvents();
    expect(integration.recordBalance({ amount: 12, currency: 'USD' }, 10, new Date(NOW.getTime() + 60_000))).toBe(false);
    expect(integration.pullDomainEvents()).toHaveLength(0);
  });

  it('a failure is one incident: only an active integration turns error, and only an error one recovers', () => {
    const integration = existing();
    expect(integration.recordHealthy(NOW)).toBe(false);
    expect(integration.recordUnhealthy('HTTP 401, Twilio error 20003', NOW)).toBe(true);
    const firstDate = integration.toSnapshot().config.lastErrorDate;
    expect(integration.recordUnhealthy('HTTP 401, Twilio error 20003', new Date(NOW.getTime() + 1000))).toBe(false);
    expect(integration.toSnapshot().config.lastErrorDate).toEqual(firstDate);
    expect(integration.recordHealthy(NOW)).toBe(true);
    expect(integration.status).toBe('active');
    integration.deactivate(NOW);
    expect(integration.recordUnhealthy('refused', NOW)).toBe(false);
    expect(integration.status).toBe('inactive');
  });

  it('webhook drift is reported when it appears, not while it lasts; a sync clears it', () => {
    const integration = existing();
    const drift = webhookDrift(
      { sid: 'PN1', phoneNumber: '+14155550100', smsUrl: 'https://old.example.com/ticket-messages/webhook', smsMethod: 'POST', smsFallbackUrl: null, statusCallback: null },
      API,
      'POST',
    );
    expect(drift.map((f) => f.field)).toEqual(['smsUrl', 'smsFallbackUrl']);
    expect(integration.recordWebhookDrift(drift, NOW)).toBe(true);
    expect(integration.recordWebhookDrift(drift, NOW)).toBe(false);
    integration.recordWebhookConfigured(`${API}/ticket-messages/webhook`, NOW);
    expect(integration.operations.webhookDrift).toBeNull();
    expect(integration.recordWebhookDrift(drift, NOW)).toBe(true);
  });

  it("what webhook/sync sets is no drift; a StatusCallback counts only when it is Zapdesk's at another URL", () => {
    const ours = { sid: 'PN1', phoneNumber: '+14155550100', smsUrl: `${API}/ticket-messages/webhook#rc=3&rp=5xx,ct,rt`, smsMethod: 'POST', smsFallbackUrl: `${API}/ticket-messages/webhook` };
    expect(webhookDrift({ ...ours, statusCallback: null }, API, 'POST')).toEqual([]);
    expect(webhookDrift({ ...ours, statusCallback: 'https://crm.example.com/voice-status' }, API, 'POST')).toEqual([]);
    expect(webhookDrift({ ...ours, statusCallback: `${API}/ticket-messages/status` }, API, 'POST')).toEqual([]);
    expect(webhookDrift({ ...ours, statusCallback: 'http://old:3000/ticket-messages/status' }, API, 'POST')).toEqual([
      { field: 'statusCallback', expected: `${API}/ticket-messages/status`, actual: 'http://old:3000/ticket-messages/status' },
    ]);
    expect(webhookDrift({ ...ours, statusCallback: null }, API, 'GET').map((f) => f.field)).toEqual(['smsMethod']);
  });

  it('token rotation: only for provisioned integrations; promotion replaces the token', () => {
    expect(() => existing().beginTokenRotation({ ciphertext: 'new', keyId: 'k1' }, NOW)).toThrow(DomainError);
    const restored = TwilioIntegration.restore({ ...existing().toSnapshot(), mode: 'provision', provisioning: null });
    restored.beginTokenRotation({ ciphertext: 'new', keyId: 'k1' }, NOW);
    expect(restored.operations.pendingAuthToken).toEqual({ ciphertext: 'new', keyId: 'k1' });
    expect(restored.authToken).toEqual({ ciphertext: 'old', keyId: 'k1' });
    restored.completeTokenRotation(NOW);
    expect(restored.authToken).toEqual({ ciphertext: 'new', keyId: 'k1' });
    expect(restored.operations.pendingAuthToken).toBeNull();
    expect(() => restored.completeTokenRotation(NOW)).toThrow(DomainError);
  });
});
