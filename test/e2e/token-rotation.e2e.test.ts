import { eventually, startTestService, TestService } from '../support/e2e/test-service';
import { connectExistingNumber, postSigned } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(90_000);

let t: TestService;
const WEBHOOK = '/ticket-messages/webhook';

beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

const admin = (companyId: string) => `Bearer ${t.token(companyId, 'admin')}`;

async function provision(companyId: string): Promise<{ id: string; accountSid: string; number: string }> {
  const created = await t.http.post('/integrations').set('Authorization', admin(companyId)).send({ mode: 'provision', countryCode: 'US', areaCode: '415' });
  expect(created.status).toBe(201);
  return eventually(async () => {
    const body = (await t.http.get(`/integrations/${created.body.id}`).set('Authorization', admin(companyId))).body;
    return body.status === 'active' ? { id: body.id as string, accountSid: body.accountSid as string, number: body.whatsappNumber as string } : undefined;
  }, 20_000);
}

let customer = 0;
function inboundSignedWith(line: { accountSid: string; number: string }, authToken: string) {
  const params = t.emulator.buildInboundParams({ to: line.number, from: `+55119700${String(10000 + customer++)}`, accountSid: line.accountSid, body: 'Oi' });
  return postSigned(t, WEBHOOK, params, { authToken });
}

describe('POST /integrations/:id/rotate-token', () => {
  it("rotates a provisioned subaccount's token: old and new signatures pass during the switch, the old one is refused after promotion", async () => {
    const line = await provision('acme');
    const account = t.emulator.state.accounts.get(line.accountSid)!;
    const oldToken = account.authToken;

    const rotation = t.http.post(`/integrations/${line.id}/rotate-token`).set('Authorization', admin('acme')).then((answer) => answer);
    // The switch: the secondary exists at Twilio and is stored (encrypted) as pending.
    const newToken = await eventually(async () => {
      const pending = (await t.http.get(`/integrations/${line.id}`).set('Authorization', admin('acme'))).body;
      return pending.monitoring.tokenRotationPending === true && pending.status === 'active' ? account.secondaryAuthToken?.token : undefined;
    });
    expect(newToken).not.toBe(oldToken);
    expect((await inboundSignedWith(line, oldToken)).status).toBe(200);
    expect((await inboundSignedWith(line, newToken)).status).toBe(200);
    expect(account.authToken).toBe(oldToken);

    const rotated = await rotation;
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: line.id, status: 'active' });
    expect(rotated.body.monitoring.tokenRotationPending).toBeUndefined();
    expect(account.authToken).toBe(newToken);
    expect(account.secondaryAuthToken).toBeNull();

    expect((await inboundSignedWith(line, oldToken)).status).toBe(403);
    expect((await inboundSignedWith(line, newToken)).status).toBe(200);
    // The stored token is the new one: calls to Twilio keep working.
    const validated = await t.http.post(`/integrations/${line.id}/validate`).set('Authorization', admin('acme'));
    expect(validated.body.status).toBe('active');

    const everything = JSON.stringify(rotated.body) + t.logs() + JSON.stringify(await t.service.connection.db!.collection('event_log').find().toArray());
    expect(everything).not.toContain(oldToken);
    expect(everything).not.toContain(newToken);
  });

  it('is for admins, for provisioned integrations only, and refuses nothing silently', async () => {
    const own = await connectExistingNumber(t, 'globex', '+14155559901');
    const byAgent = await t.http.post(`/integrations/${own.integrationId}/rotate-token`).set('Authorization', `Bearer ${t.token('globex', 'agent')}`);
    expect(byAgent.status).toBe(403);
    const existing = await t.http.post(`/integrations/${own.integrationId}/rotate-token`).set('Authorization', admin('globex'));
    expect(existing.status).toBe(409);
    expect(existing.body.error.code).toBe('INTEGRATION.NOT_PROVISIONED');
    expect(own.account.secondaryAuthToken ?? null).toBeNull();
    const elsewhere = await t.http.post(`/integrations/${own.integrationId}/rotate-token`).set('Authorization', admin('acme'));
    expect(elsewhere.status).toBe(404);
  });

  it('a promotion Twilio refuses deletes the secondary and keeps the old token in place', async () => {
    const line = await provision('initech');
    const account = t.emulator.state.accounts.get(line.accountSid)!;
    const oldToken = account.authToken;
    const refusal = t.emulator.faults.inject({ endpoint: 'auth-tokens.promote', status: 400, code: 20001, times: 1 });
    const failed = await t.http.post(`/integrations/${line.id}/rotate-token`).set('Authorization', admin('initech'));
    expect(refusal.hits).toBe(1);
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(account.authToken).toBe(oldToken);
    expect(account.secondaryAuthToken).toBeNull();
    const after = (await t.http.get(`/integrations/${line.id}`).set('Authorization', admin('initech'))).body;
    expect(after).toMatchObject({ status: 'active' });
    expect(after.monitoring.tokenRotationPending).toBeUndefined();
    expect((await inboundSignedWith(line, oldToken)).status).toBe(200);
  });
});
