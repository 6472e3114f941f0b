import { IntegrationMonitor } from '../../src/application/integration/monitoring/integration-monitor';
import { ServiceConfig } from '../../src/application/ports/service-config.port';
import { TOKENS } from '../../src/application/ports/tokens';
import { connectSse, SseConnection } from '../support/e2e/sse-client';
import { eventually, startTestService, TestService } from '../support/e2e/test-service';
import { ConnectedNumber, connectExistingNumber } from '../support/e2e/whatsapp-fixtures';

jest.setTimeout(90_000);

// Two instances on one database and one emulator, each running the monitor every 200 ms.
const MONITOR = { MONITOR_INTERVAL_MS: '200' };
let a: TestService;
let b: TestService;
const streams: SseConnection[] = [];

beforeAll(async () => {
  a = await startTestService({ env: MONITOR });
  // Replicas share API_URL (the public URL Twilio calls): both expect the same webhook settings.
  const apiUrl = a.service.container.get<ServiceConfig>(TOKENS.ServiceConfig).apiUrl;
  b = await startTestService({ env: { ...MONITOR, API_URL: apiUrl }, sharedEmulator: a.emulator });
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  await b.close();
  await a.service.connection.dropDatabase();
  await a.close();
});

const admin = (t: TestService, companyId: string) => `Bearer ${t.token(companyId, 'admin')}`;

async function integration(line: ConnectedNumber) {
  const answer = await a.http.get(`/integrations/${line.integrationId}`).set('Authorization', admin(a, line.companyId));
  expect(answer.status).toBe(200);
  return answer.body;
}

async function notificationsAbout(line: ConnectedNumber, kind: string): Promise<Array<{ message: string }>> {
  const answer = await a.http.get('/notifications?limit=100').set('Authorization', admin(a, line.companyId));
  return answer.body.items.filter((n: { subjectId: string; kind: string }) => n.subjectId === line.integrationId && n.kind === kind);
}

/** More monitor passes on both instances at once (lease or not): what they find must not notify again. */
async function morePasses(rounds = 2): Promise<void> {
  for (let i = 0; i < rounds; i += 1) {
    await Promise.all([a, b].map((t) => t.service.container.get(IntegrationMonitor).runPass()));
  }
}

async function sync(line: ConnectedNumber): Promise<void> {
  const synced = await a.http.post(`/integrations/${line.integrationId}/webhook/sync`).set('Authorization', admin(a, line.companyId));
  expect(synced.status).toBe(200);
}

let seq = 0;
async function connect(companyId: string): Promise<ConnectedNumber> {
  const line = await connectExistingNumber(a, companyId, `+1415558${String(1000 + seq++).padStart(4, '0')}`);
  await sync(line);
  return line;
}

describe('integration monitor: credentials', () => {
  it('a token Twilio starts refusing turns the integration error with one admin notification, and active again with one recovery notification (two instances)', async () => {
    const line = await connect('acme');
    const events = await connectSse(a.service.url, { token: a.token('acme', 'admin') });
    streams.push(events);

    const refusing = a.emulator.faults.inject({ accountSid: line.accountSid, status: 401, code: 20003 });
    const failed = await eventually(async () => {
      const body = await integration(line);
      return body.status === 'error' ? body : undefined;
    });
    expect(failed.config.lastError).toMatch(/20003/);
    expect(Date.parse(failed.config.lastErrorDate)).not.toBeNaN();
    await morePasses();
    expect(await notificationsAbout(line, 'integration_error')).toHaveLength(1);
    expect((await integration(line)).config.lastErrorDate).toBe(failed.config.lastErrorDate);
    // The change went out on the existing real-time path.
    await eventually(async () =>
      events.events.find((e) => e.event === 'integration.updated' && (e.data as { id: string; status: string }).id === line.integrationId && (e.data as { status: string }).status === 'error'),
    );

    refusing.remove();
    await eventually(async () => ((await integration(line)).status === 'active' ? true : undefined));
    await morePasses();
    const recoveries = await notificationsAbout(line, 'integration_recovered');
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]!.message).toContain(line.number);
    expect(await notificationsAbout(line, 'integration_error')).toHaveLength(1);
  });

  it('passes racing without the lease still store and notify each change once (the conditional write decides)', async () => {
    const line = await connect('globex');
    const monitors = [a, b, a, b].map((t) => t.service.container.get(IntegrationMonitor));
    const refusing = a.emulator.faults.inject({ accountSid: line.accountSid, status: 401, code: 20003 });
    await Promise.all(monitors.map((m) => m.runPass()));
    expect((await integration(line)).status).toBe('error');
    expect(await notificationsAbout(line, 'integration_error')).toHaveLength(1);

    refusing.remove();
    await Promise.all(monitors.map((m) => m.runPass()));
    expect((await integration(line)).status).toBe('active');
    expect(await notificationsAbout(line, 'integration_recovered')).toHaveLength(1);
  });

  it('a transient Twilio failure changes nothing', async () => {
    const line = await connect('initech');
    const outage = a.emulator.faults.inject({ accountSid: line.accountSid, status: 503 });
    await morePasses();
    expect(outage.hits).toBeGreaterThan(0);
    outage.remove();
    expect((await integration(line)).status).toBe('active');
    expect(await notificationsAbout(line, 'integration_error')).toHaveLength(0);
  });
});

describe('integration monitor: balance watch', () => {
  it("shows the account's balance and notifies once per fall below the integration's threshold", async () => {
    const line = await connect('umbrella');
    const patched = await a.http.patch(`/integrations/${line.integrationId}`).set('Authorization', admin(a, 'umbrella')).send({ lowBalanceThreshold: 15 });
    expect(patched.status).toBe(200);
    expect(patched.body.monitoring.lowBalanceThreshold).toBe(15);
    const balanceIs = (amount: number, low: boolean) =>
      eventually(async () => {
        const { monitoring } = await integration(line);
        return monitoring.balance?.amount === amount && monitoring.balance.low === low ? monitoring.balance : undefined;
      });

    expect(await balanceIs(20, false)).toMatchObject({ currency: 'USD' });
    a.emulator.state.setBalance(line.accountSid, 12);
    await balanceIs(12, true);
    a.emulator.state.setBalance(line.accountSid, 11);
    await balanceIs(11, true);
    await morePasses();
    const first = await notificationsAbout(line, 'low_balance');
    expect(first).toHaveLength(1);
    expect(first[0]!.message).toMatch(/12\.00 USD, below 15\.00/);

    // Back above, then below again: a second crossing, a second notification.
    a.emulator.state.setBalance(line.accountSid, 30);
    await balanceIs(30, false);
    a.emulator.state.setBalance(line.accountSid, 5);
    await balanceIs(5, true);
    await morePasses();
    expect(await notificationsAbout(line, 'low_balance')).toHaveLength(2);
  });

  it('a provisioned integration shows the master account’s balance against the default threshold (BALANCE_ALERT_THRESHOLD, 10)', async () => {
    const created = await a.http.post('/integrations').set('Authorization', admin(a, 'hooli')).send({ mode: 'provision', countryCode: 'US', areaCode: '628' });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const get = async () => (await a.http.get(`/integrations/${id}`).set('Authorization', admin(a, 'hooli'))).body;
    await eventually(async () => ((await get()).status === 'active' ? true : undefined), 20_000);
    const master = a.emulator.masterAccount.accountSid;
    a.emulator.state.setBalance(master, 7.5);
    const seen = await eventually(async () => {
      const { monitoring } = await get();
      return monitoring.balance?.amount === 7.5 ? monitoring.balance : undefined;
    });
    expect(seen).toMatchObject({ low: true, currency: 'USD' });
    await morePasses();
    const notes = (await a.http.get('/notifications?limit=100').set('Authorization', admin(a, 'hooli'))).body.items.filter(
      (n: { subjectId: string; kind: string }) => n.subjectId === id && n.kind === 'low_balance',
    );
    expect(notes).toHaveLength(1);
    expect(notes[0].message).toMatch(/platform's Twilio balance is 7\.50 USD, below 10\.00/);
    a.emulator.state.setBalance(master, 20);
  });

  it('refuses a bad threshold with 400 and changes nothing', async () => {
    const line = await connect('acme');
    const refused = await a.http.patch(`/integrations/${line.integrationId}`).set('Authorization', admin(a, 'acme')).send({ lowBalanceThreshold: -1 });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('lowBalanceThreshold');
    expect((await integration(line)).monitoring.lowBalanceThreshold).toBeNull();
  });
});

describe('integration monitor: webhook drift', () => {
  const STALE = 'https://old-zapdesk.example.com';

  it('detects drift, shows it, notifies once, and POST /webhook/sync repairs it', async () => {
    const line = await connect('acme');
    const number = a.emulator.state.numberByPhone(line.number)!;
    const expectedUrl = number.smsUrl;
    number.smsUrl = `${STALE}/ticket-messages/webhook#rc=3&rp=5xx,ct,rt`;
    number.statusCallback = `${STALE}/ticket-messages/status`;

    const drift = await eventually(async () => (await integration(line)).monitoring.webhookDrift);
    expect(drift.fields.map((f: { field: string }) => f.field).sort()).toEqual(['smsUrl', 'statusCallback']);
    expect(drift.fields.find((f: { field: string }) => f.field === 'smsUrl')).toMatchObject({ expected: expectedUrl, actual: number.smsUrl });
    await morePasses();
    const notes = await notificationsAbout(line, 'webhook_drift');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toMatch(/webhook\/sync/);

    await sync(line);
    expect(number.smsUrl).toBe(expectedUrl);
    expect(number.statusCallback).toMatch(/\/ticket-messages\/status$/);
    expect(number.statusCallback!.startsWith(STALE)).toBe(false);
    expect((await integration(line)).monitoring.webhookDrift).toBeUndefined();
    await morePasses();
    expect((await integration(line)).monitoring.webhookDrift).toBeUndefined();
    expect(await notificationsAbout(line, 'webhook_drift')).toHaveLength(1);
  });

  it('with autoRepairWebhook the monitor re-points the number itself and says so', async () => {
    const line = await connect('globex');
    const patched = await a.http.patch(`/integrations/${line.integrationId}`).set('Authorization', admin(a, 'globex')).send({ autoRepairWebhook: true });
    expect(patched.body.monitoring.autoRepairWebhook).toBe(true);
    const number = a.emulator.state.numberByPhone(line.number)!;
    const expectedUrl = number.smsUrl;
    number.smsUrl = `${STALE}/ticket-messages/webhook`;
    number.smsMethod = 'GET';

    await eventually(async () => (number.smsUrl === expectedUrl && number.smsMethod === 'POST' ? true : undefined));
    await morePasses();
    const notes = await notificationsAbout(line, 'webhook_drift');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toMatch(/repaired automatically/);
    expect((await integration(line)).monitoring.webhookDrift).toBeUndefined();
  });
});
