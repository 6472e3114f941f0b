import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import twilio from 'twilio';
import type { TwilioEmulator } from '../../../src/emulator/twilio-emulator';

const ROOT = resolve(__dirname, '../../..');
export const FAULTS_JWT_SECRET = 'faults-jwt-secret-for-tests-only-0123456789';

/**
 * One instance of the service as a real process (`node --expose-gc dist/main.js`, as `npm start` runs it), so a test can kill it
 * with SIGKILL: no shutdown hook, no `finally`, exactly what a crashed machine leaves behind.
 */
export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  killNow(): Promise<void>;
  stop(): Promise<void>;
}

export interface InstanceSettings {
  /** MONGODB_URI with the test file's own database name. */
  readonly mongodbUri: string;
  readonly emulator: TwilioEmulator;
  /** API_URL of every instance: webhooks are signed over it and status callbacks go there. */
  readonly apiUrl: string;
  readonly encryptionKeys: string;
  readonly env?: NodeJS.ProcessEnv;
}

export async function startServiceProcess(name: string, port: number, settings: InstanceSettings): Promise<ServiceProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), `zapdesk-faults-${name}-`));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ZAPDESK_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    API_URL: settings.apiUrl,
    MONGODB_URI: settings.mongodbUri,
    JWT_SECRET: FAULTS_JWT_SECRET,
    ENCRYPTION_KEYS: settings.encryptionKeys,
    TWILIO_API_URL: settings.emulator.url,
    TWILIO_ACCOUNT_SID: settings.emulator.masterAccount.accountSid,
    TWILIO_AUTH_TOKEN: settings.emulator.masterAccount.authToken,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    ...settings.env,
  };
  const child = spawn(process.execPath, ['--expose-gc', join(ROOT, 'dist', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  const instance: ServiceProcess = {
    name,
    url,
    child,
    output: () => out,
    killNow: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      cleanup();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance ${name} exited at start (${child.exitCode}):\n${out}`);
    const health = await fetch(`${url}/health`).catch(() => null);
    if (health?.status === 200) return instance;
    if (Date.now() > deadline) {
      await instance.killNow();
      throw new Error(`instance ${name} not healthy within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function bearer(companyId: string, role: 'admin' | 'agent', userId = `${role}-of-${companyId}`): string {
  return `Bearer ${jwt.sign({ sub: userId, companyId, role }, FAULTS_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' })}`;
}

export interface ExistingNumber {
  readonly integrationId: string;
  readonly companyId: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly number: string;
}

/** An `existing` integration of `companyId` for a fresh emulator account owning `number`. */
export async function connectNumber(baseUrl: string, emulator: TwilioEmulator, companyId: string, number: string): Promise<ExistingNumber> {
  const account = emulator.state.createAccount(`customer ${number}`, null);
  emulator.state.ownNumber(account.sid, number);
  const answer = await fetch(`${baseUrl}/integrations`, {
    method: 'POST',
    headers: { Authorization: bearer(companyId, 'admin'), 'Content-Type': 'application/json' },
    body: JSON.stringify({ mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: number }),
  });
  const body = (await answer.json()) as { id: string; status: string };
  if (answer.status !== 201 || body.status !== 'active') throw new Error(`integration not created: ${answer.status} ${JSON.stringify(body)}`);
  return { integrationId: body.id, companyId, accountSid: account.sid, authToken: account.authToken, number };
}

/** What Twilio's POST got: a status, or no answer at all (connection refused or reset, timeout). */
export type WebhookOutcome = { readonly status: number } | { readonly failure: string };

/** Posts an inbound webhook as Twilio does: form-encoded, signed over API_URL + path. */
export async function postInbound(baseUrl: string, apiUrl: string, authToken: string, params: Readonly<Record<string, string>>, timeoutMs = 15_000): Promise<WebhookOutcome> {
  const path = '/ticket-messages/webhook';
  const signature = twilio.getExpectedTwilioSignature(authToken, `${apiUrl}${path}`, { ...params });
  try {
    const answer = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
      body: new URLSearchParams(params as Record<string, string>).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await answer.arrayBuffer();
    return { status: answer.status };
  } catch (error) {
    return { failure: (error as Error).message };
  }
}

export const is2xx = (outcome: WebhookOutcome): boolean => 'status' in outcome && outcome.status >= 200 && outcome.status < 300;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
