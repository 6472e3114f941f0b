import { mongo } from 'mongoose';
import { eventually, startTestService, TestService } from '../support/e2e/test-service';

jest.setTimeout(60_000);

let t: TestService;
const adminA = () => t.token('acme', 'admin');
const agentA = () => t.token('acme', 'agent');
const adminB = () => t.token('globex', 'admin');

beforeAll(async () => {
  t = await startTestService();
});
afterAll(async () => {
  await t.service.connection.dropDatabase();
  await t.close();
});

async function waitForStatus(id: string, token: string, status: string) {
  return eventually(async () => {
    const response = await t.http.get(`/integrations/${id}`).set('Authorization', `Bearer ${token}`);
    return response.body.status === status ? response.body : undefined;
  });
}

function ownAccount(number: string) {
  const account = t.emulator.state.createAccount(`customer ${number}`, null);
  t.emulator.state.ownNumber(account.sid, number);
  return account;
}

/** Starts provisioning and returns its id once the given Twilio call is in flight (held 1.5 s). */
async function provisionStalledAt(endpoint: 'accounts.create' | 'numbers.create'): Promise<string> {
  const stall = t.emulator.faults.inject({ endpoint, delayMs: 1500, times: 1 });
  const created = await t.http.post('/integrations').set('Authorization', `Bearer ${adminA()}`).send({ mode: 'provision', countryCode: 'US' });
  await eventually(async () => (stall.hits === 1 ? true : undefined), 10_000, 20);
  return created.body.id as string;
}

describe('integrations over HTTP with the Twilio emulator', () => {
  it('provision: subaccount, number, webhooks and sender, then active', async () => {
    const created = await t.http
      .post('/integrations')
      .set('Authorization', `Bearer ${adminA()}`)
      .send({ mode: 'provision', countryCode: 'US', areaCode: '415', friendlyName: 'Support line' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', companyId: 'acme', friendlyName: 'Support line' });
    expect(created.body).not.toHaveProperty('authToken');

    const active = await waitForStatus(created.body.id, adminA(), 'active');
    expect(active.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(active.whatsappNumber).toMatch(/^\+1415/);
    const number = t.emulator.state.numberByPhone(active.whatsappNumber)!;
    expect(number.accountSid).toBe(active.accountSid);
    expect(number.smsUrl).toBe(`${t.service.url.replace('127.0.0.1', 'localhost')}/ticket-messages/webhook#rc=3&rp=5xx,ct,rt`);
    expect(number.smsFallbackUrl).toBe(`${t.service.url.replace('127.0.0.1', 'localhost')}/ticket-messages/webhook`);
    expect(t.emulator.state.accounts.get(active.accountSid)?.ownerSid).toBe(t.emulator.masterAccount.accountSid);
    expect([...t.emulator.state.senders.values()].some((s) => s.accountSid === active.accountSid)).toBe(true);

    const listed = await t.http.get('/integrations/whatsapp').set('Authorization', `Bearer ${agentA()}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(created.body.id);
    expect(listed.body.nextCursor).toBeNull();
  });

  it('existing: valid credentials → active', async () => {
    const account = ownAccount('+14155551001');
    const created = await t.http
      .post('/integrations')
      .set('Authorization', `Bearer ${adminA()}`)
      .send({ mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: 'whatsapp:+1 415 555 1001' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', whatsappNumber: '+14155551001', accountSid: account.sid });
  });

  it('existing: bad credentials → error with lastError/lastErrorDate and an admin notification', async () => {
    const account = ownAccount('+14155551002');
    const created = await t.http
      .post('/integrations')
      .set('Authorization', `Bearer ${adminA()}`)
      .send({ mode: 'existing', accountSid: account.sid, authToken: 'f'.repeat(32), whatsappNumber: '+14155551002' });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('error');
    expect(created.body.config.lastError).toMatch(/20003/);
    expect(Date.parse(created.body.config.lastErrorDate)).not.toBeNaN();

    const adminNotes = await t.http.get('/notifications').set('Authorization', `Bearer ${adminA()}`);
    const note = adminNotes.body.items.find((n: { subjectId: string }) => n.subjectId === created.body.id);
    expect(note).toMatchObject({ kind: 'integration_error', read: false });
    const agentNotes = await t.http.get('/notifications').set('Authorization', `Bearer ${agentA()}`);
    expect(agentNotes.body.items.find((n: { subjectId: string }) => n.subjectId === created.body.id)).toBeUndefined();
    expect((await t.http.post(`/notifications/${note.id}/read`).set('Authorization', `Bearer ${adminB()}`)).status).toBe(404);
    expect((await t.http.post(`/notifications/${note.id}/read`).set('Authorization', `Bearer ${adminA()}`)).status).toBe(204);

    // Fixing the token at Twilio's side and validating again re-activates it.
    account.authToken = 'f'.repeat(32);
    const validated = await t.http.post(`/integrations/${created.body.id}/validate`).set('Authorization', `Bearer ${adminA()}`);
    expect(validated.body.status).toBe('active');
  });

  it('delete: releases the number and closes the subaccount; a second delete is 404', async () => {
    const created = await t.http.post('/integrations').set('Authorization', `Bearer ${adminA()}`).send({ mode: 'provision', countryCode: 'US' });
    const active = await waitForStatus(created.body.id, adminA(), 'active');
    expect((await t.http.delete(`/integrations/${active.id}`).set('Authorization', `Bearer ${adminB()}`)).status).toBe(404);
    const removed = await t.http.delete(`/integrations/${active.id}`).set('Authorization', `Bearer ${adminA()}`);
    expect(removed.status).toBe(204);
    expect(t.emulator.state.numberByPhone(active.whatsappNumber)).toBeUndefined();
    expect(t.emulator.state.releasedNumbers.map((n) => n.phoneNumber)).toContain(active.whatsappNumber);
    expect(t.emulator.state.accounts.get(active.accountSid)?.status).toBe('closed');
    expect((await t.http.delete(`/integrations/${active.id}`).set('Authorization', `Bearer ${adminA()}`)).status).toBe(404);
    expect((await t.http.get(`/integrations/${active.id}`).set('Authorization', `Bearer ${adminA()}`)).status).toBe(404);
  });

  it('delete while a number is being bought: the subaccount is closed, nothing stays owned, no one is alerted about the removed integration', async () => {
    const id = await provisionStalledAt('numbers.create'); // the number is being bought right now

    const removed = await t.http.delete(`/integrations/${id}`).set('Authorization', `Bearer ${adminA()}`);
    expect(removed.status).toBe(204);
    await new Promise((r) => setTimeout(r, 2000)); // past the purchase and any step that would follow it
    const sub = [...t.emulator.state.accounts.values()].find((a) => a.friendlyName === `zapdesk-${id}`)!;
    expect(sub.status).toBe('closed');
    // Closing the subaccount released anything it owned; a purchase after the close is refused.
    expect([...t.emulator.state.numbers.values()].filter((n) => n.accountSid === sub.sid)).toEqual([]);
    expect((await t.http.get(`/integrations/${id}`).set('Authorization', `Bearer ${adminA()}`)).status).toBe(404);
    const notes = await t.http.get('/notifications').set('Authorization', `Bearer ${adminA()}`);
    expect(notes.body.items.filter((n: { subjectId: string }) => n.subjectId === id)).toEqual([]);
  });

  it('delete while the subaccount is being created: the subaccount the step then creates is closed, not left behind', async () => {
    const id = await provisionStalledAt('accounts.create'); // the subaccount is being created right now
    expect((await t.http.delete(`/integrations/${id}`).set('Authorization', `Bearer ${adminA()}`)).status).toBe(204);
    const sub = await eventually(async () => [...t.emulator.state.accounts.values()].find((a) => a.friendlyName === `zapdesk-${id}` && a.status === 'closed'), 8_000);
    expect(sub.status).toBe('closed');
    await new Promise((r) => setTimeout(r, 500)); // nothing is bought for it afterwards
    expect([...t.emulator.state.numbers.values()].filter((n) => n.accountSid === sub.sid)).toEqual([]);
  });

  it('a failure after buying the number releases it, closes the subaccount and alerts the admins', async () => {
    const fault = t.emulator.faults.inject({ endpoint: 'numbers.update', status: 400, code: 21402, message: 'Url is not valid', times: 1 });
    const created = await t.http.post('/integrations').set('Authorization', `Bearer ${adminB()}`).send({ mode: 'provision', countryCode: 'CA' });
    const failed = await waitForStatus(created.body.id, adminB(), 'error');
    fault.remove();
    expect(failed.config.lastError).toMatch(/21402/);
    const sub = [...t.emulator.state.accounts.values()].find((a) => a.friendlyName === `zapdesk-${created.body.id}`)!;
    expect(sub.status).toBe('closed');
    const released = t.emulator.state.releasedNumbers.filter((n) => n.accountSid === sub.sid);
    expect(released).toHaveLength(1);
    expect([...t.emulator.state.numbers.values()].filter((n) => n.accountSid === sub.sid)).toHaveLength(0);
    // The admins are told right after the `error` status is stored: allow that moment.
    const alerted = await eventually(async () => {
      const notes = await t.http.get('/notifications').set('Authorization', `Bearer ${adminB()}`);
      return notes.body.items.some((n: { subjectId: string; kind: string }) => n.subjectId === created.body.id && n.kind === 'integration_error') ? true : undefined;
    }, 5_000);
    expect(alerted).toBe(true);
  });

  it('the same WhatsApp number twice, concurrently and across companies: exactly one 409 loser, nothing else written', async () => {
    const account = ownAccount('+14155551003');
    const body = { mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: '+14155551003' };
    const before = await countIntegrations();
    const [a, b] = await Promise.all([
      t.http.post('/integrations').set('Authorization', `Bearer ${adminA()}`).send(body),
      t.http.post('/integrations').set('Authorization', `Bearer ${adminB()}`).send(body),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.code).toBe('INTEGRATION.NUMBER_IN_USE');
    expect(await countIntegrations()).toBe(before + 1);
  });

  it('agents may not manage integrations; other companies see 404', async () => {
    const account = ownAccount('+14155551004');
    const body = { mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: '+14155551004' };
    expect((await t.http.post('/integrations').set('Authorization', `Bearer ${agentA()}`).send(body)).status).toBe(403);
    expect((await t.http.post('/integrations').send(body)).status).toBe(401);
    expect((await t.http.post('/integrations').set('Authorization', 'Bearer not-a-jwt').send(body)).status).toBe(401);
    const created = await t.http.post('/integrations').set('Authorization', `Bearer ${adminA()}`).send(body);
    expect((await t.http.get(`/integrations/${created.body.id}`).set('Authorization', `Bearer ${adminB()}`)).status).toBe(404);
    const patched = await t.http.patch(`/integrations/${created.body.id}`).set('Authorization', `Bearer ${adminB()}`).send({ status: 'inactive' });
    expect(patched.status).toBe(404);
    const own = await t.http.patch(`/integrations/${created.body.id}`).set('Authorization', `Bearer ${adminA()}`).send({ status: 'inactive', friendlyName: 'Night' });
    expect(own.body).toMatchObject({ status: 'inactive', friendlyName: 'Night' });
  });

  it('webhook sync re-points a drifted number at Zapdesk', async () => {
    const account = ownAccount('+14155551005');
    const created = await t.http
      .post('/integrations')
      .set('Authorization', `Bearer ${adminA()}`)
      .send({ mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: '+14155551005' });
    t.emulator.state.numberByPhone('+14155551005')!.smsUrl = 'https://elsewhere.example/hook';
    const synced = await t.http.post(`/integrations/${created.body.id}/webhook/sync`).set('Authorization', `Bearer ${adminA()}`);
    expect(synced.status).toBe(200);
    expect(t.emulator.state.numberByPhone('+14155551005')!.smsUrl).toMatch(/\/ticket-messages\/webhook#rc=3&rp=5xx,ct,rt$/);
  });

  it('never reveals an auth token in responses or logs', async () => {
    const account = ownAccount('+14155551006');
    const responses: string[] = [];
    const created = await t.http
      .post('/integrations')
      .set('Authorization', `Bearer ${adminA()}`)
      .send({ mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: '+14155551006' });
    responses.push(JSON.stringify(created.body));
    const bad = await t.http
      .post('/integrations')
      .set('Authorization', `Bearer ${adminA()}`)
      .send({ mode: 'existing', accountSid: account.sid, authToken: `${account.authToken}x`, whatsappNumber: 'nope' });
    responses.push(JSON.stringify(bad.body));
    for (const path of ['/integrations', `/integrations/${created.body.id}`, '/notifications']) {
      responses.push(JSON.stringify((await t.http.get(path).set('Authorization', `Bearer ${adminA()}`)).body));
    }
    const tokens = [...t.emulator.state.accounts.values()].map((a) => a.authToken);
    const everything = responses.join('\n') + t.logs();
    expect(t.logs().length).toBeGreaterThan(0);
    for (const token of tokens) expect(everything).not.toContain(token);
    const stored = await t.service.connection.db!.collection('integrations').find({}).toArray();
    for (const token of tokens) expect(JSON.stringify(stored)).not.toContain(token);
  });
});

async function countIntegrations(): Promise<number> {
  const collection = t.service.connection.db!.collection('integrations') as unknown as mongo.Collection;
  return collection.countDocuments({});
}
