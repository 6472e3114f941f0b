import { randomBytes } from 'node:crypto';
import { MAX_NUMBER_TRIES, ProvisioningProcessManager } from '../../../src/application/integration/provisioning/provisioning.process-manager';
import { NewNotification, NotificationStore, NotificationView } from '../../../src/application/ports/notification.port';
import { AuthToken } from '../../../src/domain/integration/auth-token';
import { TwilioIntegration } from '../../../src/domain/integration/twilio-integration';
import { AesGcmSecretCipher } from '../../../src/infrastructure/crypto/aes-gcm-secret-cipher';
import { TwilioSdkGateway } from '../../../src/infrastructure/twilio/twilio-sdk.gateway';
import { startTwilioEmulator, TwilioEmulator } from '../../../src/emulator/twilio-emulator';
import { InMemoryIntegrationRepository } from '../../support/in-memory/in-memory-integration.repository';

/**
 * The save-time side of a taken number: the check said "free", yet another integration holds
 * the number when it is saved (it was connected in between). The saga gives the number back
 * and takes the next, a bounded number of times, then stores that cause.
 */
class CheckThatAlwaysMisses extends InMemoryIntegrationRepository {
  override async isNumberTaken(): Promise<boolean> {
    return false;
  }
}

class Notifications implements NotificationStore {
  readonly added: NewNotification[] = [];
  async add(notification: NewNotification): Promise<NotificationView | null> {
    this.added.push(notification);
    return null;
  }
  async listFor(): Promise<NotificationView[]> {
    return [];
  }
  async markRead(): Promise<boolean> {
    return false;
  }
}

let emulator: TwilioEmulator;
beforeAll(async () => {
  emulator = await startTwilioEmulator({ senderOnlineDelayMs: 0 });
});
afterAll(() => emulator.close());

function setUp(takenNumbers: readonly string[]) {
  const integrations = new CheckThatAlwaysMisses();
  const cipher = new AesGcmSecretCipher(new Map([['k1', randomBytes(32)]]), 'k1');
  const notifications = new Notifications();
  const warnings: string[] = [];
  const manager = new ProvisioningProcessManager(
    integrations,
    new TwilioSdkGateway({ apiUrl: emulator.url, timeoutMs: 2000 }),
    cipher,
    { apiUrl: 'http://localhost:3000', masterAccount: emulator.masterAccount, senderPollIntervalMs: 10 },
    { now: () => new Date() },
    notifications,
    { publishAll: async () => undefined },
    { warn: (message) => warnings.push(message) },
  );
  const holders = takenNumbers.map((number, i) =>
    TwilioIntegration.connectExisting({
      id: `holder-${number}-${i}`,
      companyId: 'globex',
      accountSid: `AC${i.toString(16).padStart(32, '0')}`,
      authToken: cipher.encrypt(AuthToken.of('x'.repeat(32))),
      whatsappNumber: number,
      webhookUrl: 'http://localhost:3000/ticket-messages/webhook',
      now: new Date(),
    }),
  );
  return { integrations, notifications, warnings, manager, holders };
}

async function provisioned(areaCode: string, takenNumbers: readonly string[]) {
  const { integrations, notifications, warnings, manager, holders } = setUp(takenNumbers);
  for (const holder of holders) await integrations.save(holder);
  const integration = TwilioIntegration.provision({ id: `prov-${areaCode}`, companyId: 'acme', countryCode: 'US', areaCode, webhookUrl: 'http://localhost:3000/ticket-messages/webhook', now: new Date() });
  await integrations.save(integration);
  for (let i = 0; i < 20; i += 1) {
    await manager.advance('acme', integration.id);
    const now = await integrations.findById('acme', integration.id);
    if (now && now.status !== 'pending') return { result: now, notifications, warnings };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('provisioning did not finish');
}

describe('provisioning: a number found taken only when saving it', () => {
  it('is given back and the next one taken', async () => {
    const { result, warnings } = await provisioned('505', ['+15055550100', '+15055550101']);
    expect(result.toSnapshot()).toMatchObject({ status: 'active', whatsappNumber: '+15055550102' });
    expect(warnings.filter((w) => /belongs to another integration/.test(w))).toHaveLength(2);
    const sub = [...emulator.state.accounts.values()].find((a) => a.friendlyName === 'zapdesk-prov-505')!;
    expect([...emulator.state.numbers.values()].filter((n) => n.accountSid === sub.sid).map((n) => n.phoneNumber)).toEqual(['+15055550102']);
    expect(emulator.state.releasedNumbers.filter((n) => n.accountSid === sub.sid).map((n) => n.phoneNumber)).toEqual(['+15055550100', '+15055550101']);
  });

  it(`gives up after ${MAX_NUMBER_TRIES} such numbers, storing that cause; the subaccount closed, no number kept`, async () => {
    const taken = Array.from({ length: 12 }, (_, i) => `+15755550${100 + i}`);
    const { result, notifications } = await provisioned('575', taken);
    const snapshot = result.toSnapshot();
    expect(snapshot.status).toBe('error');
    expect(snapshot.config.lastError).toMatch(new RegExp(`^${MAX_NUMBER_TRIES} numbers in a row were already connected to another integration`));
    expect(snapshot.whatsappNumber).toBeNull();
    const sub = [...emulator.state.accounts.values()].find((a) => a.friendlyName === 'zapdesk-prov-575')!;
    expect(sub.status).toBe('closed');
    expect([...emulator.state.numbers.values()].filter((n) => n.accountSid === sub.sid)).toEqual([]);
    expect(emulator.state.requests.filter((r) => r.endpoint === 'numbers.create' && r.accountSid === sub.sid)).toHaveLength(MAX_NUMBER_TRIES);
    expect(notifications.added).toEqual([expect.objectContaining({ kind: 'integration_error', subjectId: 'prov-575', message: expect.stringMatching(/already connected to another integration/) })]);
  });
});
