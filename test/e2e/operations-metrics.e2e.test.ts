import { randomBytes } from 'node:crypto';
import { connectSse, SseConnection } from '../support/e2e/sse-client';
import { TEST_JWT_SECRET, eventually, startTestService } from '../support/e2e/test-service';
import { postSigned } from '../support/e2e/whatsapp-fixtures';
import { FAST_DELIVERY_ENV, connectExistingNumber, customerWrites, messageBecomes, reply, ConnectedNumber, TestService } from './outbound-support';

jest.setTimeout(60_000);

/**
 * Operations: `GET /metrics` (Prometheus text) moving with real traffic, `GET /health/ready`,
 * request ids in responses and logs, and a secret scan of a realistic run's logs and metrics.
 */
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const ENV: NodeJS.ProcessEnv = { ...FAST_DELIVERY_ENV, ENCRYPTION_KEYS: `k1:${ENCRYPTION_KEY}` };

let t: TestService;
let acme: ConnectedNumber;
const streams: SseConnection[] = [];

beforeAll(async () => {
  t = await startTestService({ env: ENV, emulator: { messageLifecycle: { stepDelayMs: 20, finalStatus: 'read', sendCallbacks: true } } });
  acme = await connectExistingNumber(t, 'acme', '+14155556001');
});
afterAll(async () => {
  for (const stream of streams) stream.close();
  await t.service.connection.dropDatabase();
  await t.close();
});

async function scrape(service: TestService = t): Promise<string> {
  const answer = await service.http.get('/metrics');
  expect(answer.status).toBe(200);
  expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
  return answer.text;
}

/** The value of one sample (`name{labels}`; labels in any order), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}

describe('GET /metrics', () => {
  it('has the process metrics and every operations metric, in Prometheus text format', async () => {
    const text = await scrape();
    for (const name of [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'zapdesk_webhooks_total',
      'zapdesk_webhook_duration_seconds',
      'zapdesk_outbound_sends_total',
      'zapdesk_inbound_inbox_depth',
      'zapdesk_inbound_filing_lag_seconds',
      'zapdesk_delivery_queue_depth',
      'zapdesk_integrations',
      'zapdesk_sse_subscribers',
      'zapdesk_event_log_tail_lag',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(sample(text, 'zapdesk_integrations', { status: 'active' })).toBe(1);
    expect(sample(text, 'zapdesk_integrations', { status: 'error' })).toBe(0);
  });

  it('counters and gauges move with traffic: webhooks by outcome, sends, SSE subscribers', async () => {
    const before = await scrape();
    const stream = await connectSse(t.service.url, { token: t.token('acme', 'agent') });
    streams.push(stream);
    expect(stream.status).toBe(200);

    const ticket = await customerWrites(t, acme, '+5511960000001');
    const forged = await postSigned(t, '/ticket-messages/webhook', t.emulator.buildInboundParams({ to: acme.number, from: '+5511960000002', accountSid: acme.accountSid, body: 'x' }), {
      authToken: 'not-the-token',
    });
    expect(forged.status).toBe(403);
    const sent = await reply(t, ticket, { body: 'Olá, como posso ajudar?' });
    expect(sent.status).toBe(202);
    await messageBecomes(t, sent.body.id, (m) => m.status === 'read');

    const after = await eventually(async () => {
      const text = await scrape();
      // The status callbacks of the reply (sent, delivered, read) are webhooks too.
      return sample(text, 'zapdesk_webhooks_total', { route: 'status', outcome: 'accepted' }) >= 2 ? text : undefined;
    });
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('zapdesk_webhooks_total', { route: 'inbound', outcome: 'accepted' })).toBe(1);
    expect(delta('zapdesk_webhooks_total', { route: 'inbound', outcome: 'bad_signature' })).toBe(1);
    expect(delta('zapdesk_webhook_duration_seconds_count', { route: 'inbound', outcome: 'accepted' })).toBe(1);
    expect(delta('zapdesk_outbound_sends_total', { outcome: 'accepted', attempt: '1' })).toBe(1);
    expect(sample(before, 'zapdesk_sse_subscribers')).toBe(0);
    expect(sample(after, 'zapdesk_sse_subscribers')).toBe(1);
    expect(sample(after, 'zapdesk_delivery_queue_depth')).toBe(0);
    expect(sample(after, 'zapdesk_inbound_inbox_depth')).toBe(0);

    stream.close();
    await eventually(async () => (sample(await scrape(), 'zapdesk_sse_subscribers') === 0 ? true : undefined));
  });

  it('counts a send that Twilio refuses for good as failed, by attempt', async () => {
    const ticket = await customerWrites(t, acme, '+5511960000003');
    t.emulator.faults.inject({ phoneNumber: ticket.contact, endpoint: 'messages.create', status: 400, code: 21211, times: 1 });
    const before = sample(await scrape(), 'zapdesk_outbound_sends_total', { outcome: 'failed', attempt: '1' });
    const answer = await reply(t, ticket, { body: 'Vai falhar' });
    await messageBecomes(t, answer.body.id, (m) => m.status === 'failed');
    expect(sample(await scrape(), 'zapdesk_outbound_sends_total', { outcome: 'failed', attempt: '1' }) - before).toBe(1);
    t.emulator.faults.clear();
  });

  it('shows the inbox depth and filing lag of messages acknowledged but not filed yet', async () => {
    const inbox = t.service.connection.db!.collection('inbound_inbox');
    // An entry left by an instance that died before filing it (the sweep files it later).
    await inbox.insertOne({ _id: 'left-by-a-crash' as never, companyId: 'nobody', integrationId: 'none', message: {}, acceptedAt: new Date(Date.now() - 60_000), lane: 'none', laneSeq: 1 });
    try {
      const text = await scrape();
      expect(sample(text, 'zapdesk_inbound_inbox_depth')).toBe(1);
      expect(sample(text, 'zapdesk_inbound_filing_lag_seconds')).toBeGreaterThanOrEqual(60);
    } finally {
      await inbox.deleteOne({ _id: 'left-by-a-crash' as never });
    }
  });

  it('takes a bearer token when METRICS_TOKEN is set (any other caller gets 401)', async () => {
    const metricsToken = randomBytes(24).toString('hex');
    const guarded = await startTestService({ env: { ...ENV, METRICS_TOKEN: metricsToken }, sharedEmulator: t.emulator });
    try {
      expect((await guarded.http.get('/metrics')).status).toBe(401);
      expect((await guarded.http.get('/metrics').set('Authorization', `Bearer ${guarded.token('acme', 'admin')}`)).status).toBe(401);
      const answer = await guarded.http.get('/metrics').set('Authorization', `Bearer ${metricsToken}`);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('zapdesk_webhooks_total');
      expect(answer.text + guarded.logs()).not.toContain(metricsToken);
    } finally {
      await guarded.close();
    }
  });
});

describe('GET /health/ready', () => {
  it('is 200 with the database up and the workers running', async () => {
    const answer = await t.http.get('/health/ready');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'ready', reasons: [], database: { status: 'up' }, workers: 'running' });
  });

  it('is 503 with the reason when the background workers do not run (liveness stays 200)', async () => {
    const idle = await startTestService({ env: ENV, sharedEmulator: t.emulator, service: { startWorkers: false } });
    try {
      const answer = await idle.http.get('/health/ready');
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ status: 'not_ready', reasons: ['background workers are not running'], workers: 'not_running' });
      expect((await idle.http.get('/health')).status).toBe(200);
    } finally {
      await idle.close();
    }
  });
});

describe('request ids', () => {
  it('echoes a plausible X-Request-Id and puts it in the request log line; makes one for an implausible id', async () => {
    const given = await t.http.get('/tickets').set('Authorization', `Bearer ${t.token('acme', 'agent')}`).set('X-Request-Id', 'lb-7f3a2c-ops-test');
    expect(given.headers['x-request-id']).toBe('lb-7f3a2c-ops-test');
    const made = await t.http.get('/tickets').set('Authorization', `Bearer ${t.token('acme', 'agent')}`).set('X-Request-Id', 'not an id, it has spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const lines = await eventually(async () => {
      const found = t.logs().split('\n').filter((line) => line.includes('lb-7f3a2c-ops-test'));
      return found.length > 0 ? found : undefined;
    });
    for (const line of lines) expect((JSON.parse(line) as { req?: { id?: string } }).req?.id).toBe('lb-7f3a2c-ops-test');
  });
});

describe('secrets', () => {
  it('a realistic run (integrations, webhooks, replies, callbacks, SSE, metrics) leaves no auth token, key or secret in the logs or the metrics', async () => {
    // Another integration, created and validated; a webhook with a wrong signature; replies.
    const globex = await connectExistingNumber(t, 'globex', '+14155556002');
    await t.http.post(`/integrations/${globex.integrationId}/validate`).set('Authorization', `Bearer ${t.token('globex', 'admin')}`);
    const ticket = await customerWrites(t, globex, '+5511960000010');
    const answer = await reply(t, ticket, { body: 'Resposta' });
    await messageBecomes(t, answer.body.id, (m) => m.status === 'read');
    const everything = t.logs() + (await scrape());

    const secrets = [
      ENCRYPTION_KEY,
      TEST_JWT_SECRET,
      t.emulator.masterAccount.authToken,
      ...[...t.emulator.state.accounts.values()].map((account) => account.authToken),
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    // Bearer tokens: the requests carried them, the logs redact them.
    expect(everything).not.toContain(t.token('acme', 'agent').split('.')[2]!);
  });
});
