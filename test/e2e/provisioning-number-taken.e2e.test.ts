import { eventually, startTestService, TestService } from '../support/e2e/test-service';
import { connectExistingNumber } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(60_000);

/**
 * Provisioning when the number Twilio's search offers already belongs to another integration
 * (a number another Zapdesk integration brought from elsewhere, which this Twilio account's
 * search still offers). The emulator's search offers `+1{area}555{0100, 0101, ...}` that no
 * emulated account owns.
 */
let t: TestService;
const admin = () => `Bearer ${t.token('acme', 'admin')}`;

beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

/** An active `existing` integration of another company on `number`, which the emulator's search then offers again. */
async function takenElsewhere(number: string): Promise<void> {
  const other = await connectExistingNumber(t, 'globex', number);
  const record = t.emulator.state.numberByPhone(number)!;
  t.emulator.state.numbers.delete(record.sid); // Twilio no longer lists it as owned: the search offers it
  expect(other.number).toBe(number);
}

async function provision(areaCode: string) {
  const created = await t.http.post('/integrations').set('Authorization', admin()).send({ mode: 'provision', countryCode: 'US', areaCode });
  expect(created.status).toBe(201);
  return eventually(async () => {
    const got = await t.http.get(`/integrations/${created.body.id}`).set('Authorization', admin());
    return got.body.status === 'active' || got.body.status === 'error' ? got.body : undefined;
  }, 20_000);
}

const subaccountOf = (integrationId: string) => [...t.emulator.state.accounts.values()].find((a) => a.friendlyName === `zapdesk-${integrationId}`)!;

describe('provisioning when the offered number already belongs to another integration', () => {
  it('skips it and takes the next available number', async () => {
    await takenElsewhere('+12125550100');
    const integration = await provision('212');
    expect(integration).toMatchObject({ status: 'active', whatsappNumber: '+12125550101' });
    expect(integration.config.lastError).toBeUndefined();
    const sub = subaccountOf(integration.id);
    expect(sub.status).toBe('active');
    // The taken number was not even bought: one purchase, of the next number.
    expect([...t.emulator.state.numbers.values()].filter((n) => n.accountSid === sub.sid).map((n) => n.phoneNumber)).toEqual(['+12125550101']);
    expect(t.emulator.state.requests.filter((r) => r.endpoint === 'numbers.create' && r.accountSid === sub.sid)).toHaveLength(1);
    // The other company's integration is untouched.
    const others = await t.http.get('/integrations').set('Authorization', `Bearer ${t.token('globex', 'admin')}`);
    expect(others.body.items.find((i: { whatsappNumber: string }) => i.whatsappNumber === '+12125550100')).toMatchObject({ status: 'active' });
    expect(t.logs()).not.toMatch(/PERSISTENCE\.STALE_WRITE|ConcurrencyError/);
  });

  it('gives up after a bounded number of tries, storing the real cause, and leaves nothing behind', async () => {
    for (let line = 100; line < 110; line += 1) await takenElsewhere(`+13125550${line}`);
    const integration = await provision('312');
    expect(integration.status).toBe('error');
    expect(integration.config.lastError).toMatch(/already connected to another integration/);
    expect(integration.config.lastError).not.toMatch(/20003|401|listOwnedNumbers/);
    expect(Date.parse(integration.config.lastErrorDate)).not.toBeNaN();
    const sub = subaccountOf(integration.id);
    expect(sub.status).toBe('closed');
    expect([...t.emulator.state.numbers.values()].filter((n) => n.accountSid === sub.sid)).toEqual([]);
    // Bounded, and nothing bought in vain: the offered numbers were known to be taken.
    expect(t.emulator.state.requests.filter((r) => r.endpoint === 'numbers.create' && r.accountSid === sub.sid)).toHaveLength(0);
    expect(t.emulator.state.requests.filter((r) => r.endpoint === 'available-numbers.list' && r.accountSid === sub.sid)).toHaveLength(1);
    const alerted = await eventually(async () => {
      const notes = await t.http.get('/notifications').set('Authorization', admin());
      return notes.body.items.find((n: { subjectId: string }) => n.subjectId === integration.id);
    }, 5_000);
    expect(alerted).toMatchObject({ kind: 'integration_error', message: expect.stringMatching(/already connected to another integration/) });
  });

  it('a number connected elsewhere while it was being bought is given back, and the next one taken', async () => {
    const stall = t.emulator.faults.inject({ endpoint: 'numbers.create', delayMs: 1500, times: 1 });
    const created = await t.http.post('/integrations').set('Authorization', admin()).send({ mode: 'provision', countryCode: 'US', areaCode: '617' });
    await eventually(async () => (stall.hits === 1 ? true : undefined), 10_000, 20);
    await takenElsewhere('+16175550100'); // connected by another company while the purchase is in flight
    const integration = await eventually(async () => {
      const got = await t.http.get(`/integrations/${created.body.id}`).set('Authorization', admin());
      return got.body.status === 'active' || got.body.status === 'error' ? got.body : undefined;
    }, 20_000);
    expect(integration).toMatchObject({ status: 'active', whatsappNumber: '+16175550101' });
    const sub = subaccountOf(integration.id);
    expect([...t.emulator.state.numbers.values()].filter((n) => n.accountSid === sub.sid).map((n) => n.phoneNumber)).toEqual(['+16175550101']);
    expect(t.emulator.state.releasedNumbers.filter((n) => n.accountSid === sub.sid).map((n) => n.phoneNumber)).toEqual(['+16175550100']);
    expect(t.logs()).toMatch(/belongs to another integration; giving it back/);
  });

  it('a number sold to someone else between the search and the purchase (21422): the next one is bought', async () => {
    const stall = t.emulator.faults.inject({ endpoint: 'numbers.create', delayMs: 1000, times: 1 });
    const created = await t.http.post('/integrations').set('Authorization', admin()).send({ mode: 'provision', countryCode: 'US', areaCode: '718' });
    await eventually(async () => (stall.hits === 1 ? true : undefined), 10_000, 20);
    t.emulator.state.ownNumber(t.emulator.state.createAccount('a stranger', null).sid, '+17185550100');
    const integration = await eventually(async () => {
      const got = await t.http.get(`/integrations/${created.body.id}`).set('Authorization', admin());
      return got.body.status === 'active' || got.body.status === 'error' ? got.body : undefined;
    }, 20_000);
    expect(integration).toMatchObject({ status: 'active', whatsappNumber: '+17185550101' });
  });
});
