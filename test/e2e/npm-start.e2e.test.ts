import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePorts } from '../../src/infrastructure/persistence/database/free-port';

/**
 * `npm start` as a newcomer runs it, in a fresh data folder: the full embedded default (its own
 * database on disk, its own Twilio emulator, the demo workspace), logs as JSON lines when stdout
 * is not a terminal, `npm run simulate` and `npm run token` from other processes, SIGINT to the
 * npm process stopping the service, and a restart keeping data and tokens.
 */

const ROOT = resolve(__dirname, '../..');
jest.setTimeout(240_000);

interface Started {
  readonly child: ChildProcess;
  readonly lines: () => string[];
  readonly exited: Promise<number | null>;
}

let dataDir: string;
let port: number;

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ZAPDESK_DATA_DIR: dataDir, PORT: String(port), EMULATOR_STEP_DELAY_MS: '50', LOG_LEVEL: 'info' };
  for (const name of ['MONGODB_URI', 'JWT_SECRET', 'ENCRYPTION_KEYS', 'ENCRYPTION_KEY_ID', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_API_URL', 'API_URL', 'LOG_FORMAT', 'NODE_ENV']) delete env[name];
  return env;
}

function npmStart(): Started {
  const child = spawn('npm', ['start'], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, lines: () => out.split('\n'), exited };
}

function jsonLines(started: Started): Array<Record<string, unknown>> {
  return started
    .lines()
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function waitForLog(started: Started, msg: string, timeoutMs = 200_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = jsonLines(started).find((line) => line['msg'] === msg);
    if (found) return found;
    if (started.child.exitCode !== null) throw new Error(`npm start exited (${started.child.exitCode}):\n${started.lines().join('\n')}`);
    if (Date.now() > deadline) throw new Error(`no "${msg}" log line within ${timeoutMs} ms:\n${started.lines().join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function npmRun(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGINT');
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 20_000);
  try {
    return await started.exited;
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'zapdesk-npm-start-'));
  [port] = await freePorts(1, '127.0.0.1');
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('npm start: demo workspace, simulate and token from other processes, SIGINT stops it, a restart keeps data and tokens', async () => {
  const first = npmStart();
  let adminToken: string;
  try {
    const ready = await waitForLog(first, 'demo workspace ready');
    expect(ready).toMatchObject({ consoleUrl: `http://localhost:${port}/console`, whatsappNumber: '+14155238886', tryNext: 'npm run simulate -- --body "Olá"' });
    adminToken = String(ready['adminToken']);
    // Readable for machines: every line of the service is JSON, shutdown included (checked below);
    // Nest's route-mapping lines are not at info.
    expect(first.lines().filter((line) => line.includes('Mapped {'))).toEqual([]);
    expect(jsonLines(first).filter((line) => line['msg'] === 'demo workspace ready')).toHaveLength(1);

    const simulated = npmRun('simulate', ['--from', '+5511999990000', '--body', 'Olá']);
    expect(simulated.stderr).toBe('');
    expect(simulated.status).toBe(0);
    expect(simulated.stdout).toMatch(/-> \+14155238886: Zapdesk answered 200/);

    const minted = npmRun('token', ['--role', 'agent', '--company', 'demo']);
    expect(minted.status).toBe(0);
    const tickets = await fetch(`http://127.0.0.1:${port}/tickets`, { headers: { Authorization: `Bearer ${minted.stdout.trim()}` } });
    expect(tickets.status).toBe(200);
    expect(JSON.stringify(await tickets.json())).toContain('Olá');
  } finally {
    const code = await stop(first);
    expect(code).toBe(0);
  }
  // The service itself stopped (not just npm): its runtime file is gone and the port is free.
  expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
  const shutdown = jsonLines(first).find((line) => line['msg'] === 'shutting down');
  expect(shutdown).toMatchObject({ signal: 'SIGINT' });
  // Only the build's own progress lines (before any logger exists) are plain text.
  const buildProgress = /^zapdesk: (compiling TypeScript|building the agent console)/;
  expect(first.lines().filter((line) => line.startsWith('zapdesk:') && !buildProgress.test(line))).toEqual([]);

  const second = npmStart();
  try {
    await waitForLog(second, 'demo workspace ready');
    expect(jsonLines(second).some((line) => String(line['msg']).startsWith('demo workspace created'))).toBe(false);
    const tickets = await fetch(`http://127.0.0.1:${port}/tickets`, { headers: { Authorization: `Bearer ${adminToken!}` } });
    expect(tickets.status).toBe(200);
    expect(JSON.stringify(await tickets.json())).toContain('Olá');
    const again = npmRun('simulate', ['--body', 'de novo']);
    expect(again.status).toBe(0);
  } finally {
    expect(await stop(second)).toBe(0);
  }
});

it('npm run simulate without a running service says what to do', () => {
  const result = npmRun('simulate', ['--body', 'x']);
  expect(result.status).toBe(3);
  expect(result.stderr).toMatch(/npm start/);
});
