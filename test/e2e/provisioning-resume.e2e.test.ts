import { randomBytes } from 'node:crypto';
import { startService } from '../../src/infrastructure/bootstrap/start-service';
import { startTwilioEmulator, TwilioEmulator } from '../../src/emulator/twilio-emulator';
import { connectTestDatabase, testDatabaseUri } from '../support/database/test-database';
import { eventually, TEST_JWT_SECRET } from '../support/e2e/test-service';
import jwt from 'jsonwebtoken';
import request from 'supertest';

jest.setTimeout(60_000);

const KEYS = `k1:${randomBytes(32).toString('base64')}`;
let emulator: TwilioEmulator;

beforeAll(async () => {
  emulator = await startTwilioEmulator({ senderOnlineDelayMs: 50 });
});
afterAll(() => emulator.close());

function boot() {
  return startService({
    env: {
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEYS: KEYS,
      TWILIO_API_URL: emulator.url,
      TWILIO_ACCOUNT_SID: emulator.masterAccount.accountSid,
      TWILIO_AUTH_TOKEN: emulator.masterAccount.authToken,
      SENDER_POLL_INTERVAL_MS: '50',
    },
    port: 0,
    mongodbUri: testDatabaseUri(),
    logLevel: 'silent',
    provisioningIntervalMs: 100,
    twilioTimeoutMs: 1000,
  });
}

const admin = jwt.sign({ sub: 'u1', companyId: 'acme', role: 'admin' }, TEST_JWT_SECRET, { algorithm: 'HS256' });

describe('provisioning survives a crash', () => {
  it('resumes after a restart, finding the number bought before the crash instead of buying another', async () => {
    // Instance 1 buys the number, then Twilio stops answering the webhook step.
    const stall = emulator.faults.inject({ endpoint: 'numbers.update', status: 503 });
    const first = await boot();
    const created = await request(first.url).post('/integrations').set('Authorization', `Bearer ${admin}`).send({ mode: 'provision', countryCode: 'US' });
    expect(created.status).toBe(201);
    const database = await connectTestDatabase();
    const integrations = database.connection.db!.collection('integrations');
    await eventually(async () => ((await integrations.findOne({ _id: created.body.id as never }))?.provisioning?.numberSid ? true : undefined));
    await first.close();

    // Pretend the crash came between Twilio's purchase and our save of it, and that the
    // retry time of the stalled step has come.
    await integrations.updateOne({ _id: created.body.id as never }, { $set: { 'provisioning.nextCheckAt': new Date(), 'provisioning.numberSid': null, numberSid: null, whatsappNumber: null, numberKey: `unassigned:${created.body.id}` } });
    stall.remove();

    const second = await boot();
    try {
      const active = await eventually(async () => {
        const r = await request(second.url).get(`/integrations/${created.body.id}`).set('Authorization', `Bearer ${admin}`);
        return r.body.status === 'active' ? r.body : undefined;
      });
      const owned = [...emulator.state.numbers.values()].filter((n) => n.accountSid === active.accountSid);
      expect(owned).toHaveLength(1);
      expect(owned[0]!.phoneNumber).toBe(active.whatsappNumber);
      const purchases = emulator.state.requests.filter((r) => r.endpoint === 'numbers.create' && r.status < 300);
      expect(purchases).toHaveLength(1);
      const subaccounts = [...emulator.state.accounts.values()].filter((a) => a.friendlyName === `zapdesk-${created.body.id}`);
      expect(subaccounts).toHaveLength(1);
    } finally {
      await second.close();
      await database.dropAndClose();
    }
  });
});
