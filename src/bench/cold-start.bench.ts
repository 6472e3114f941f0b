import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../infrastructure/persistence/database/free-port';
import type { Benchmark, BenchmarkResult } from './benchmark';
import { integerOption } from './bench-options';
import { percentile } from './load-runner';
import { childProcesses, megabytes, residentBytes } from './process-memory';

/** Settings that would take the service off its embedded default (database, Twilio, data folder, port). */
const NOT_DEFAULT = /^(MONGODB_URI|TWILIO_.*|PORT|HOST|API_URL|EMULATOR_PORT|ZAPDESK_DATA_DIR|JWT_SECRET|ENCRYPTION_KEYS)$/;
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 20_000;

interface StartFigures {
  readonly readyMs: number;
  /** Which route answered 200 first. */
  readonly probe: string;
  readonly serviceRssBytes: number | undefined;
  readonly databaseRssBytes: number | undefined;
}

/**
 * `npm run bench -- cold-start`: `node --expose-gc dist/main.js` as a user starts it (`npm start` without
 * the build check): no settings, a fresh data folder, so the embedded database creates its H2
 * file, the emulator and the demo workspace are set up. Measures the time from spawn to the
 * first 200 of `/health/ready` (or `/health` where that route does not exist), then, after
 * `--idle-seconds` of idling, the resident memory of the service and of the embedded
 * database's Java process (VmRSS). `--runs` fresh starts, each in its own folder.
 */
export const coldStartBenchmark: Benchmark = {
  name: 'cold-start',
  description: 'node --expose-gc dist/main.js (as npm start) on the embedded default with a fresh data folder: time to ready, idle memory of the service and the embedded database',
  async run({ log, args }): Promise<BenchmarkResult> {
    const env = process.env;
    const runs = integerOption(args, env, { name: 'runs', defaultValue: 3, min: 1, max: 20 });
    const idleSeconds = integerOption(args, env, { name: 'idle-seconds', defaultValue: 5, min: 0, max: 600 });
    const results: StartFigures[] = [];
    for (let run = 1; run <= runs; run += 1) {
      const figures = await startOnce(idleSeconds, log);
      log(`[bench] cold-start ${run}/${runs}: ready in ${figures.readyMs.toFixed(0)} ms (${figures.probe})`);
      results.push(figures);
    }
    const ready = results.map((r) => r.readyMs).sort((a, b) => a - b);
    const rss = (pick: (r: StartFigures) => number | undefined): string => {
      const values = results.map(pick).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
      return values.length === 0 ? 'unknown' : `${megabytes(percentile(values, 50))} (median; ${megabytes(values[0]!)}–${megabytes(values.at(-1)!)})`;
    };
    const measured = results.every((r) => r.serviceRssBytes !== undefined && r.databaseRssBytes !== undefined);
    return {
      correct: measured,
      lines: [
        `cold start: ${runs} x node --expose-gc dist/main.js, no settings, a fresh data folder each (embedded database on H2, emulator, demo workspace); ready = first 200 of ${results[0]?.probe ?? '/health'}`,
        `spawn → ready: median ${percentile(ready, 50).toFixed(0)} ms (each: ${results.map((r) => r.readyMs.toFixed(0)).join(', ')} ms)`,
        `idle memory ${idleSeconds} s after ready: service (node) ${rss((r) => r.serviceRssBytes)}, embedded database (java) ${rss((r) => r.databaseRssBytes)}${measured ? '' : ' — a process was NOT FOUND'}`,
      ],
    };
  },
};

async function startOnce(idleSeconds: number, log: (line: string) => void): Promise<StartFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'zapdesk-bench-cold-'));
  const [port] = await freePorts(1, '127.0.0.1');
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !NOT_DEFAULT.test(name)));
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['--expose-gc', join(__dirname, '..', 'main.js')], {
    env: { ...env, ZAPDESK_DATA_DIR: folder, PORT: String(port), HOST: '127.0.0.1', EMULATOR_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its log is kept for an error message only; draining it keeps the pipe from filling.
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString('utf8'));
    if (output.length > 40) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    const probe = await waitUntilReady(`http://127.0.0.1:${port}`, child, () => output.join('').slice(-2000));
    const readyMs = performance.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const database = childProcesses(child.pid!).find((c) => /\bjava\b/.test(c.command));
    if (!database) log('[bench] cold-start: no java child process found (is the embedded database mongo-java-server?)');
    return { readyMs, probe, serviceRssBytes: residentBytes(child.pid!), databaseRssBytes: database ? residentBytes(database.pid) : undefined };
  } finally {
    await stop(child);
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Polls `/health/ready`, or `/health` once the service answers 404 there; returns the route that answered 200. */
async function waitUntilReady(base: string, child: ChildProcess, recentOutput: () => string): Promise<string> {
  let route = '/health/ready';
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}) before it was ready: ${recentOutput()}`);
    try {
      const answer = await fetch(`${base}${route}`, { signal: AbortSignal.timeout(2000) });
      await answer.arrayBuffer();
      if (answer.status === 200) return route;
      if (answer.status === 404 && route !== '/health') route = '/health';
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the service was not ready after ${READY_TIMEOUT_MS / 1000} s: ${recentOutput()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
