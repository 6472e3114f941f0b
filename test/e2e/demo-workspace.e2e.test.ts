import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import { RunningService, startService } from '../../src/infrastructure/bootstrap/start-service';
import { readRuntimeFile } from '../../src/infrastructure/config/runtime-file';
import { runSimulateCommand } from '../../src/emulator/simulator/simulate-command';
import { testDatabaseUri } from '../support/database/test-database';
import { connectSse } from '../support/e2e/sse-client';
import { eventually, startTestService } from '../support/e2e/test-service';

/**
 * The embedded default's demo workspace, end to end: the service starts its own Twilio emulator
 * (state in the data folder), creates the demo company's integration, hands the console its
 * config; the simulator CLI's code sends signed webhooks through the emulator; replies move to
 * read, a #fail reply fails once and its retry is delivered; a restart keeps everything.
 * (The run's database stands in for the embedded one; `demo: true` asks for the workspace on it.)
 */

const DEMO_NUMBER = '+14155238886';
let dataDir: string;
let service: RunningService;
const logChunks: string[] = [];
const dbName = `demo_workspace_${Date.now().toString(36)}`;

async function start(): Promise<RunningService> {
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk.toString('utf8')));
  return startService({
    env: { ZAPDESK_DATA_DIR: dataDir, EMULATOR_STEP_DELAY_MS: '20', SENDER_POLL_INTERVAL_MS: '50' },
    port: 0,
    mongodbUri: testDatabaseUri(),
    dbName,
    demo: true,
    logLevel: 'debug',
    logDestination: logStream,
    twilioTimeoutMs: 2000,
  });
}

interface ConsoleConfig {
  simulatorUrl: string | null;
  demo: { adminToken: string; agentToken: string } | null;
}
const consoleConfig = async (s: RunningService) => (await request(s.url).get('/console/config.json')).body as ConsoleConfig;

async function simulate(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSimulateCommand(args, {
    emulatorUrl: () => {
      const runtime = readRuntimeFile(dataDir);
      return runtime?.emulatorUrl ? { url: runtime.emulatorUrl } : { error: 'not running' };
    },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err };
}

interface MessageJson {
  id: string;
  direction: string;
  status: string;
  body: string;
  error: { code: number; message: string } | null;
}
const listOf = <T>(body: unknown): T[] => (Array.isArray(body) ? (body as T[]) : ((body as { items: T[] }).items ?? []));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'zapdesk-demo-'));
  service = await start();
});
afterAll(async () => {
  await service?.close();
  await service?.connection.db?.dropDatabase().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('demo workspace (embedded default)', () => {
  let firstTokens: { adminToken: string; agentToken: string };
  let demoTemplates: string[] = [];
  let ticketId: string;

  it('creates the demo company with one active WhatsApp integration on an emulated account, and tells the console', async () => {
    const config = await consoleConfig(service);
    expect(config.simulatorUrl).toBe(`${service.twilioApiUrl}/_simulator`);
    expect(config.demo).not.toBeNull();
    firstTokens = config.demo!;
    const integrations = await request(service.url).get('/integrations/whatsapp').set('Authorization', `Bearer ${firstTokens.agentToken}`);
    expect(integrations.status).toBe(200);
    const [integration] = listOf<{ status: string; whatsappNumber: string; companyId: string; mode: string }>(integrations.body);
    expect(integration).toMatchObject({ status: 'active', whatsappNumber: DEMO_NUMBER, companyId: 'demo', mode: 'existing' });
    // The demo account's WhatsApp templates: approved ones, one pending, one rejected.
    const templates = await request(service.url).get(`/integrations/${integrations.body.items[0].id}/templates`).set('Authorization', `Bearer ${firstTokens.agentToken}`);
    expect(templates.status).toBe(200);
    demoTemplates = listOf<{ sid: string; friendlyName: string; approval: { status: string } }>(templates.body).map((t) => `${t.friendlyName} ${t.approval.status} ${t.sid}`);
    expect(demoTemplates.map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
      'feedback_card rejected',
      'follow_up approved',
      'invoice_ready approved',
      'order_shipped approved',
      'retomar_conversa approved',
      'spring_sale pending',
    ]);
    expect((await request(service.url).get('/integrations').set('Authorization', `Bearer ${firstTokens.agentToken}`)).status).toBe(403);
    expect(readRuntimeFile(dataDir)).toMatchObject({ pid: process.pid, serviceUrl: service.url, emulatorUrl: service.twilioApiUrl });
    expect(JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8'))).toMatchObject({ companyId: 'demo', whatsappNumber: DEMO_NUMBER });
  });

  it('npm run simulate: a customer message arrives, signed, and shows up live on the agent\'s stream', async () => {
    const stream = await connectSse(service.url, { token: firstTokens.agentToken });
    try {
      const result = await simulate(['--from', '+5511999990000', '--body', 'Olá', '--profile-name', 'Maria']);
      expect(result).toMatchObject({ code: 0, err: [] });
      expect(result.out[0]).toMatch(/^SM[0-9a-f]{32} \+5511999990000 -> \+14155238886: Zapdesk answered 200$/);
      const [created] = await stream.waitForEvents(1, 'message.created');
      expect(created!.data).toMatchObject({ direction: 'inbound', body: 'Olá' });
    } finally {
      stream.close();
    }
    const tickets = await request(service.url).get('/tickets').set('Authorization', `Bearer ${firstTokens.agentToken}`);
    const [ticket] = listOf<{ id: string; unreadCount: number; contact: { whatsappNumber: string; profileName: string } }>(tickets.body);
    expect(ticket).toMatchObject({ unreadCount: 1, contact: { whatsappNumber: '+5511999990000', profileName: 'Maria' } });
    ticketId = ticket!.id;
  });

  it('a stream of customers: --count --rate --contacts', async () => {
    const result = await simulate(['--count', '6', '--rate', '50', '--contacts', '3', '--from', '+5511988880000', '--body', 'pedido']);
    expect(result.code).toBe(0);
    expect(result.out.at(-1)).toMatch(/^6 messages from 3 customer\(s\) in [\d.]+ s: 6 accepted by Zapdesk, 0 not$/);
    await eventually(async () => {
      const tickets = listOf<{ contact: { whatsappNumber: string }; unreadCount: number }>((await request(service.url).get('/tickets').set('Authorization', `Bearer ${firstTokens.agentToken}`)).body);
      const stream = tickets.filter((t) => t.contact.whatsappNumber.startsWith('+551198888000'));
      return stream.length === 3 && stream.every((t) => t.unreadCount === 2) ? true : undefined;
    });
  });

  it('a reply moves queued → sent → delivered → read through the emulator\'s status callbacks', async () => {
    const reply = await request(service.url).post(`/tickets/${ticketId}/messages`).set('Authorization', `Bearer ${firstTokens.agentToken}`).send({ body: 'Oi, Maria!' });
    expect(reply.status).toBe(202);
    const read = await eventually(async () => {
      const messages = listOf<MessageJson>((await request(service.url).get(`/tickets/${ticketId}/messages`).set('Authorization', `Bearer ${firstTokens.agentToken}`)).body);
      const message = messages.find((m) => m.id === reply.body.id);
      return message?.status === 'read' ? message : undefined;
    });
    expect(read.error).toBeNull();
  });

  it('a reply with #fail fails with Twilio 30008, and its retry is delivered', async () => {
    const auth = `Bearer ${firstTokens.agentToken}`;
    const reply = await request(service.url).post(`/tickets/${ticketId}/messages`).set('Authorization', auth).send({ body: 'this will #fail' });
    expect(reply.status).toBe(202);
    const messageOf = async () => listOf<MessageJson>((await request(service.url).get(`/tickets/${ticketId}/messages`).set('Authorization', auth)).body).find((m) => m.id === reply.body.id);
    const failed = await eventually(async () => {
      const message = await messageOf();
      return message?.status === 'undelivered' ? message : undefined;
    });
    expect(failed.error).toMatchObject({ code: 30008 });
    expect((await request(service.url).post(`/ticket-messages/${reply.body.id}/retry`).set('Authorization', auth)).status).toBe(202);
    await eventually(async () => ((await messageOf())?.status === 'read' ? true : undefined));
  });

  it('an admin connects an `existing` integration with an account the simulator hands out, and customers can write to it', async () => {
    const admin = `Bearer ${firstTokens.adminToken}`;
    const account = await fetch(`${service.twilioApiUrl}/_simulator/accounts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"friendlyName":"Second line"}' });
    expect(account.status).toBe(201);
    const { accountSid, authToken, whatsappNumber } = (await account.json()) as { accountSid: string; authToken: string; whatsappNumber: string };
    const created = await request(service.url).post('/integrations').set('Authorization', admin).send({ mode: 'existing', accountSid, authToken, whatsappNumber });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', whatsappNumber });
    expect(JSON.stringify(created.body)).not.toContain(authToken);
    expect((await simulate(['--to', whatsappNumber, '--body', 'x'])).code).toBe(1);
    expect((await request(service.url).post(`/integrations/${created.body.id}/webhook/sync`).set('Authorization', admin)).status).toBeLessThan(300);
    const result = await simulate(['--to', whatsappNumber, '--from', '+5511977770000', '--body', 'segunda linha']);
    expect(result.code).toBe(0);
    await eventually(async () => {
      const tickets = listOf<{ integrationId: string }>((await request(service.url).get('/tickets').set('Authorization', admin)).body);
      return tickets.some((t) => t.integrationId === created.body.id) ? true : undefined;
    });
    expect((await request(service.url).delete(`/integrations/${created.body.id}`).set('Authorization', admin)).status).toBe(204);
  });

  it('survives a restart: same data, the printed tokens still work, the emulated account still signs', async () => {
    await service.close();
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    service = await start();
    const auth = `Bearer ${firstTokens.agentToken}`;
    const integrations = listOf<{ id: string; whatsappNumber: string }>((await request(service.url).get('/integrations').set('Authorization', `Bearer ${firstTokens.adminToken}`)).body);
    expect(integrations.map((i) => i.whatsappNumber)).toEqual([DEMO_NUMBER]);
    // The demo templates are seeded again, with the same SIDs.
    const templates = await request(service.url).get(`/integrations/${integrations[0]!.id}/templates`).set('Authorization', auth);
    expect(listOf<{ sid: string; friendlyName: string; approval: { status: string } }>(templates.body).map((t) => `${t.friendlyName} ${t.approval.status} ${t.sid}`)).toEqual(demoTemplates);
    // The port changed: the number's webhook was re-pointed at this run.
    const result = await simulate(['--body', 'de volta']);
    expect(result).toMatchObject({ code: 0 });
    await eventually(async () => {
      const [ticket] = listOf<{ id: string; unreadCount: number }>((await request(service.url).get('/tickets').set('Authorization', auth)).body);
      return ticket?.id === ticketId ? true : undefined;
    });
    // Stored auth tokens still decrypt (same key): a reply goes out and is read.
    const reply = await request(service.url).post(`/tickets/${ticketId}/messages`).set('Authorization', auth).send({ body: 'bem-vinda de volta' });
    await eventually(async () => {
      const messages = listOf<MessageJson>((await request(service.url).get(`/tickets/${ticketId}/messages`).set('Authorization', auth)).body);
      return messages.find((m) => m.id === reply.body.id)?.status === 'read' ? true : undefined;
    });
  });

  it('logs no secret but the demo tokens: not the JWT secret, the encryption key or the emulated auth tokens (the demo tokens are printed on purpose)', () => {
    const logs = logChunks.join('');
    const jwtSecret = readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim();
    const key = readFileSync(join(dataDir, 'encryption-keys'), 'utf8').trim().split(':')[1]!;
    const emulated = JSON.parse(readFileSync(join(dataDir, 'twilio-emulator.json'), 'utf8')) as { accounts: Array<{ authToken: string }> };
    expect(logs).not.toContain(jwtSecret);
    expect(logs).not.toContain(key);
    for (const account of emulated.accounts) expect(logs).not.toContain(account.authToken);
    expect(logs).toContain('demo workspace ready');
    // The tokens printed are the ones the console is given.
    expect(logs).toContain(firstTokens.adminToken);
    expect(logs).toContain(firstTokens.agentToken);
  });
});

describe('console config outside the demo', () => {
  it('hands out no tokens and no simulator with a configured Twilio account', async () => {
    const t = await startTestService();
    try {
      const response = await t.http.get('/console/config.json');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ simulatorUrl: null, demo: null });
    } finally {
      await t.service.connection.dropDatabase();
      await t.close();
    }
  });
});
