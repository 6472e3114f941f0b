import fc from 'fast-check';
import { TwilioIntegration } from '../../../src/domain/integration/twilio-integration';
import { INTEGRATION_STATUSES, IntegrationStatus, canTransition } from '../../../src/domain/integration/integration-status';
import { DomainError } from '../../../src/domain/shared/domain-error';

const ALLOWED: ReadonlyArray<[IntegrationStatus, IntegrationStatus]> = [
  ['pending', 'active'],
  ['pending', 'error'],
  ['active', 'inactive'],
  ['active', 'error'],
  ['inactive', 'active'],
  ['inactive', 'error'],
  ['error', 'active'],
  ['error', 'inactive'],
];

type Operation = 'activate' | 'deactivate' | 'fail';
const TARGET: Record<Operation, IntegrationStatus> = { activate: 'active', deactivate: 'inactive', fail: 'error' };

function existing(now: Date): TwilioIntegration {
  return TwilioIntegration.connectExisting({
    id: 'int-1',
    companyId: 'acme',
    accountSid: `AC${'a'.repeat(32)}`,
    authToken: { ciphertext: 'x', keyId: 'k1' },
    whatsappNumber: '+14155550100',
    webhookUrl: 'http://localhost:3000/ticket-messages/webhook',
    now,
  });
}

describe('integration status machine', () => {
  it('accepts exactly the documented transitions', () => {
    for (const from of INTEGRATION_STATUSES) {
      for (const to of INTEGRATION_STATUSES) {
        if (from === to) continue;
        const documented = ALLOWED.some(([f, t]) => f === from && t === to);
        expect([from, to, canTransition(from, to)]).toEqual([from, to, documented]);
      }
    }
  });

  it('never accepts an illegal transition under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Operation>('activate', 'deactivate', 'fail'), { maxLength: 30 }), (operations) => {
        let now = new Date('2026-01-01T00:00:00Z');
        const integration = existing(now);
        let modelStatus: IntegrationStatus = 'pending';
        for (const operation of operations) {
          now = new Date(now.getTime() + 1000);
          const before = integration.status;
          const target = TARGET[operation];
          const legal = before === target || canTransition(before, target);
          let accepted = true;
          try {
            if (operation === 'activate') integration.activate(now);
            if (operation === 'deactivate') integration.deactivate(now);
            if (operation === 'fail') integration.markFailed('Authenticate', now);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            accepted = false;
          }
          expect(accepted).toBe(legal);
          if (accepted) modelStatus = target;
          expect(integration.status).toBe(modelStatus);
        }
        // Every recorded status change is a legal transition, or a repeated failure refreshing lastError.
        for (const event of integration.pullDomainEvents()) {
          if (event.name !== 'integration.status_changed') continue;
          const refreshedFailure = event.from === 'error' && event.to === 'error';
          expect(refreshedFailure || canTransition(event.from, event.to)).toBe(true);
        }
      }),
    );
  });

  it('keeps the last error and its date when it fails', () => {
    const now = new Date('2026-02-01T10:00:00Z');
    const integration = existing(now);
    integration.markFailed('Twilio error 20003: Authenticate', now);
    const snapshot = integration.toSnapshot();
    expect(snapshot.status).toBe('error');
    expect(snapshot.config.lastError).toBe('Twilio error 20003: Authenticate');
    expect(snapshot.config.lastErrorDate).toEqual(now);
  });

  it('restore(toSnapshot(x)) rebuilds an equal aggregate that records nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Operation>('activate', 'deactivate', 'fail'), { maxLength: 10 }), (operations) => {
        const integration = existing(new Date('2026-01-01T00:00:00Z'));
        for (const operation of operations) {
          try {
            if (operation === 'activate') integration.activate(new Date());
            if (operation === 'deactivate') integration.deactivate(new Date());
            if (operation === 'fail') integration.markFailed('boom', new Date());
          } catch {
            /* illegal moves are covered above */
          }
        }
        const restored = TwilioIntegration.restore(integration.toSnapshot());
        expect(restored.toSnapshot()).toEqual(integration.toSnapshot());
        expect(restored.pullDomainEvents()).toEqual([]);
      }),
    );
  });
});
