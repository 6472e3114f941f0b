import { Connection } from 'mongoose';
import { NumberInUseError } from '../../src/domain/integration/integration-errors';
import { IntegrationRepository } from '../../src/domain/integration/integration.repository';
import { TwilioIntegration } from '../../src/domain/integration/twilio-integration';
import { ConcurrencyError } from '../../src/domain/shared/domain-error';
import { MongooseIntegrationRepository } from '../../src/infrastructure/persistence/mongoose/integration/mongoose-integration.repository';
import { connectTestDatabase, TestDatabase } from '../support/database/test-database';
import { InMemoryIntegrationRepository } from '../support/in-memory/in-memory-integration.repository';

const T0 = new Date('2026-05-01T10:00:00.000Z');
let sequence = 0;
const sid = (n: number) => `AC${n.toString(16).padStart(32, '0')}`;

function existing(companyId: string, number: string, id = `int-${++sequence}`): TwilioIntegration {
  return TwilioIntegration.connectExisting({
    id,
    companyId,
    accountSid: sid(sequence),
    authToken: { ciphertext: 'opaque', keyId: 'k1' },
    whatsappNumber: number,
    webhookUrl: 'http://localhost:3000/ticket-messages/webhook',
    now: T0,
  });
}

let database: TestDatabase;
let connection: Connection;

beforeAll(async () => {
  database = await connectTestDatabase();
  connection = database.connection;
});
afterAll(() => database.dropAndClose());

describe.each([
  ['in-memory', async () => new InMemoryIntegrationRepository() as IntegrationRepository],
  [
    'mongoose',
    async () => {
      const repository = new MongooseIntegrationRepository(connection);
      await repository.ensureIndexes();
      return repository as IntegrationRepository;
    },
  ],
])('IntegrationRepository contract (%s)', (_name, makeRepository) => {
  let repository: IntegrationRepository;
  beforeEach(async () => {
    repository = await makeRepository();
  });

  it('round-trips an aggregate through save and findById (restore(toSnapshot(x)) equals x)', async () => {
    const integration = existing('acme', '+14155550001');
    integration.markFailed('Twilio error 20003: Authenticate', T0);
    await repository.save(integration);
    const loaded = await repository.findById('acme', integration.id);
    expect(loaded?.toSnapshot()).toEqual(integration.toSnapshot());
  });

  it('scopes every finder by company', async () => {
    const integration = existing('acme', '+14155550002');
    await repository.save(integration);
    expect(await repository.findById('globex', integration.id)).toBeNull();
    expect((await repository.listByCompany('globex')).map((i) => i.id)).not.toContain(integration.id);
    expect(await repository.delete('globex', integration.id)).toBe(false);
    expect(await repository.findById('acme', integration.id)).not.toBeNull();
  });

  it('lets exactly one of many concurrent writers of the same version win', async () => {
    const integration = existing('acme', '+14155550007');
    await repository.save(integration);
    const copies = await Promise.all(Array.from({ length: 6 }, () => repository.findById('acme', integration.id)));
    const results = await Promise.allSettled(
      copies.map((copy, i) => {
        copy!.updateSettings({ friendlyName: `writer ${i}` }, T0);
        return repository.save(copy!);
      }),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyError);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect((await repository.findById('acme', integration.id))!.toSnapshot().friendlyName).toBe(`writer ${winner}`);
  });

  it('rejects a stale write instead of overwriting', async () => {
    const integration = existing('acme', '+14155550003');
    await repository.save(integration);
    const first = (await repository.findById('acme', integration.id))!;
    const second = (await repository.findById('acme', integration.id))!;
    first.activate(T0);
    await repository.save(first);
    second.markFailed('late writer', T0);
    await expect(repository.save(second)).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await repository.findById('acme', integration.id))!.status).toBe('active');
  });

  it('lets exactly one of many concurrent inserts of one number win, across companies', async () => {
    const contenders = Array.from({ length: 8 }, (_, i) => existing(i % 2 ? 'acme' : 'globex', '+14155550004'));
    const results = await Promise.allSettled(contenders.map((c) => repository.save(c)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(7);
    for (const loss of lost) expect(loss.reason).toBeInstanceOf(NumberInUseError);
    const stored = [...(await repository.listByCompany('acme')), ...(await repository.listByCompany('globex'))].filter(
      (i) => i.whatsappNumber === '+14155550004',
    );
    expect(stored).toHaveLength(1);
  });

  it('frees the number when the integration is deleted', async () => {
    const first = existing('acme', '+14155550005');
    await repository.save(first);
    expect(await repository.delete('acme', first.id)).toBe(true);
    expect(await repository.delete('acme', first.id)).toBe(false);
    await expect(repository.save(existing('globex', '+14155550005'))).resolves.toBeUndefined();
  });

  it('tells whether another integration, of any company, holds a number', async () => {
    const holder = existing('acme', '+14155550907');
    await repository.save(holder);
    expect(await repository.isNumberTaken('+14155550907', 'someone-else')).toBe(true);
    expect(await repository.isNumberTaken('+14155550907', holder.id)).toBe(false);
    expect(await repository.isNumberTaken('+14155550908', 'someone-else')).toBe(false);
  });

  it('resolves webhooks by account and number', async () => {
    const integration = existing('acme', '+14155550006');
    await repository.save(integration);
    expect((await repository.findByAccountAndNumber(integration.accountSid!, '+14155550006'))?.id).toBe(integration.id);
    expect(await repository.findByAccountAndNumber(sid(999999), '+14155550006')).toBeNull();
  });

  it('hands out one provisioning lease at a time until it expires or is released', async () => {
    const integration = TwilioIntegration.provision({ id: `int-${++sequence}`, companyId: 'acme', countryCode: 'US', webhookUrl: 'x', now: T0 });
    await repository.save(integration);
    const later = new Date(T0.getTime() + 60_000);
    const grants = await Promise.all([1, 2, 3].map(() => repository.acquireProvisioningLease(integration.id, later, T0)));
    expect(grants.filter(Boolean)).toHaveLength(1);
    expect(await repository.acquireProvisioningLease(integration.id, later, new Date(later.getTime() + 1))).toBe(true);
    await repository.releaseProvisioningLease(integration.id);
    expect(await repository.acquireProvisioningLease(integration.id, later, T0)).toBe(true);
    // A save in between does not drop the lease.
    const loaded = (await repository.findById('acme', integration.id))!;
    loaded.scheduleNextCheck(later, T0);
    await repository.save(loaded);
    expect(await repository.acquireProvisioningLease(integration.id, later, T0)).toBe(false);
    expect((await repository.findProvisioningDue(later, 10)).map((i) => i.id)).toContain(integration.id);
  });
});
