import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import twilio from 'twilio';
import { freePorts } from '../../src/infrastructure/persistence/database/free-port';
import { testDatabaseUri } from '../support/database/test-database';
import { connectSse } from '../support/e2e/sse-client';
import { TEST_JWT_SECRET, eventually, startTestService } from '../support/e2e/test-service';
import { FAST_DELIVERY_ENV, connectExistingNumber, messageBecomes, sendsTo, ConnectedNumber, OpenTicket, TestService } from './outbound-support';

jest.setTimeout(120_000);

/**
 * SIGTERM during an inbound and an outbound burst loses nothing. The instance under test is a
 * real child process (`src/main.ts`, as `npm start` runs it) on the same database as a second
 * instance (this process), like two replicas behind a load balancer. Every webhook the child
 * acknowledged is filed, every reply it accepted is sent exactly once (by the child before it
 * exits, or by the other instance after), its SSE clients are told to reconnect, and it exits 0
 * with one last log line.
 */
const ROOT = resolve(__dirname, '../..');
/** Both instances sign and check webhooks against one public URL, as behind a load balancer. */
const API_URL = 'http://zapdesk.test';
const SHARED_ENV: NodeJS.ProcessEnv = { ...FAST_DELIVERY_ENV, ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, API_URL };

let other: TestService;
let acme: ConnectedNumber;
let child: Child | null = null;

interface Child {
  readonly process: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
  lines(): Array<Record<string, unknown>>;
  output(): string;
}

async function startChild(env: NodeJS.ProcessEnv): Promise<Child> {
  const [port] = await freePorts(1, '127.0.0.1');
  const processEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'info' };
  const started = spawn(process.execPath, ['-r', './scripts/register-ts.js', 'src/main.ts'], { cwd: ROOT, env: processEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  started.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  started.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => started.once('exit', (code) => done(code)));
  const lines = () =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const running: Child = { process: started, url: `http://127.0.0.1:${port}`, exited, lines, output: () => out };
  await eventually(async () => {
    if (started.exitCode !== null) throw new Error(`the service exited (${started.exitCode}):\n${out}`);
    const ready = await fetch(`${running.url}/health/ready`).catch(() => null);
    return ready?.status === 200 ? true : undefined;
  }, 90_000, 200);
  return running;
}

beforeAll(async () => {
  other = await startTestService({ env: SHARED_ENV });
  acme = await connectExistingNumber(other, 'acme', '+14155557001');
});
afterAll(async () => {
  if (child && child.process.exitCode === null) child.process.kill('SIGKILL');
  await other.service.connection.dropDatabase();
  await other.close();
});

function childEnv(): NodeJS.ProcessEnv {
  return {
    ...SHARED_ENV,
    MONGODB_URI: testDatabaseUri(),
    JWT_SECRET: TEST_JWT_SECRET,
    TWILIO_API_URL: other.emulator.url,
    TWILIO_ACCOUNT_SID: other.emulator.masterAccount.accountSid,
    TWILIO_AUTH_TOKEN: other.emulator.masterAccount.authToken,
    SHUTDOWN_GRACE_MS: '15000',
  };
}

/** A customer's message, signed as Twilio signs it, POSTed to `baseUrl`; resolves with the status (null: no answer). */
async function webhook(baseUrl: string, from: string, body: string): Promise<{ sid: string; status: number | null }> {
  const params = other.emulator.buildInboundParams({ to: acme.number, from, accountSid: acme.accountSid, body });
  const signature = twilio.getExpectedTwilioSignature(acme.authToken, `${API_URL}/ticket-messages/webhook`, { ...params });
  const answer = await fetch(`${baseUrl}/ticket-messages/webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
    body: new URLSearchParams(params).toString(),
  }).catch(() => null);
  return { sid: params.MessageSid!, status: answer?.status ?? null };
}

/** A customer writes to the other instance; resolves once their ticket is open. */
async function openTicket(contact: string): Promise<OpenTicket> {
  const { sid, status } = await webhook(other.service.url, contact, 'Olá');
  expect(status).toBe(200);
  const db = other.service.connection.db!;
  const ticketId = await eventually(async () => {
    const message = await db.collection('messages').findOne({ twilioSid: sid });
    return message ? String(message.ticketId) : undefined;
  });
  return { ticketId, contact, number: acme };
}

async function replyOn(baseUrl: string, ticket: OpenTicket, body: string): Promise<{ id: string | null; status: number | null }> {
  const answer = await fetch(`${baseUrl}/tickets/${ticket.ticketId}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${other.token('acme', 'agent', 'agent-ana')}` },
    body: JSON.stringify({ body }),
  }).catch(() => null);
  if (!answer) return { id: null, status: null };
  const json = (await answer.json().catch(() => ({}))) as { id?: string };
  return { id: json.id ?? null, status: answer.status };
}

it('SIGTERM during an inbound and an outbound burst: every acknowledged webhook filed, every accepted reply sent once, exit 0', async () => {
  const tickets = await Promise.all([1, 2, 3, 4].map((n) => openTicket(`+55119700000${n}0`)));
  child = await startChild(childEnv());
  const running = child;
  const stream = await connectSse(running.url, { token: other.token('acme', 'agent') });
  expect(stream.status).toBe(200);

  // Twilio answers each send late: sends are under way when the signal comes.
  other.emulator.faults.inject({ endpoint: 'messages.create', delayMs: 300 });
  const inbound: Array<Promise<{ sid: string; status: number | null }>> = [];
  const outbound: Array<Promise<{ id: string | null; status: number | null; body: string }>> = [];
  let acks = 0;
  let accepts = 0;
  let exited = false;
  let signalled = false;
  void running.exited.then(() => (exited = true));
  // Ten conversations; four tickets. The signal comes once some of each were taken; the burst
  // goes on until the process is gone (bounded), so some requests meet the closed door.
  for (let i = 0; i < 2000 && !exited; i += 1) {
    inbound.push(webhook(running.url, `+55119800000${i % 10}`, `burst ${i}`).then((w) => ((acks += w.status === 200 ? 1 : 0), w)));
    if (i % 3 === 0) {
      const body = `resposta ${i}`;
      outbound.push(replyOn(running.url, tickets[i % 4]!, body).then((answer) => ((accepts += answer.status === 202 ? 1 : 0), { ...answer, body })));
    }
    if (acks >= 10 && accepts >= 3 && !signalled) {
      running.process.kill('SIGTERM');
      signalled = true;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(signalled).toBe(true);
  const webhooks = await Promise.all(inbound);
  const replies = await Promise.all(outbound);
  expect(await running.exited).toBe(0);

  const acknowledged = webhooks.filter((w) => w.status === 200);
  const accepted = replies.filter((r) => r.status === 202);
  // The burst really straddled the signal: some got in before, some were turned away after.
  expect(acknowledged.length).toBeGreaterThanOrEqual(10);
  expect(accepted.length).toBeGreaterThanOrEqual(3);
  expect(webhooks.filter((w) => w.status !== 200).length + replies.filter((r) => r.status !== 202).length).toBeGreaterThan(0);
  // Nothing answered with an error: a request either got in (and was answered) or found the door shut.
  for (const w of webhooks) expect([200, null]).toContain(w.status);
  for (const r of replies) expect([202, null]).toContain(r.status);

  // The SSE client was told when to reconnect, and the stream ended.
  await stream.ended();
  expect(stream.text()).toMatch(/\nretry: \d+\n/);

  // One last line: stopped, after the drain.
  const lines = running.lines();
  expect(lines[lines.length - 1]).toMatchObject({ msg: 'stopped', signal: 'SIGTERM' });
  expect(lines.find((line) => line.msg === 'shutdown: drained')).toBeDefined();

  // Every acknowledged webhook is filed (by the child, or by the other instance's sweep).
  const messages = other.service.connection.db!.collection('messages');
  for (const { sid } of acknowledged) {
    await eventually(async () => ((await messages.findOne({ twilioSid: sid, direction: 'inbound' })) ? true : undefined), 20_000);
  }
  // Every accepted reply is sent, exactly once.
  for (const { id } of accepted) await messageBecomes(other, id!, (m) => m.status === 'sent', 20_000);
  other.emulator.faults.clear();
  await new Promise((r) => setTimeout(r, 1000));
  for (const { body } of accepted) {
    const sends = tickets.flatMap((ticket) => sendsTo(other, ticket.contact)).filter((m) => m.body === body);
    expect({ body, sends: sends.length }).toEqual({ body, sends: 1 });
  }
  // The child's logs hold no secret either.
  for (const secret of [TEST_JWT_SECRET, acme.authToken, other.emulator.masterAccount.authToken, SHARED_ENV.ENCRYPTION_KEYS!.slice(3)]) {
    expect(running.output()).not.toContain(secret);
  }
});
