import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { EventEmitter2 } from '@nestjs/event-emitter';
import jwt from 'jsonwebtoken';
import { companyEventName } from '../infrastructure/realtime/live-events';
import { SseHub } from '../infrastructure/realtime/sse-hub';
import type { LoggedEvent } from '../infrastructure/persistence/mongoose/event-log/event-log.reader';
import type { Benchmark, BenchmarkResult } from './benchmark';
import { integerOption } from './bench-options';
import { benchBackend } from './bench-database';
import { buildInboundWebhooks } from './inbound-traffic';
import { BENCH_WHATSAPP_NUMBER, startIngestionSetup, waitUntilFiled } from './ingestion-setup';
import { percentile } from './load-runner';
import { megabytes, openFilesLimit, ownMemory, type MemorySnapshot } from './process-memory';
import { startSseBaselineServer } from './sse-baseline-server';
import { monotonicMs, type FromClients, type ToClients } from './sse-fanout-clients';
import { WebhookClient } from './webhook-client';

const COMPANY = 'bench-company';
const TARGET_P99_MS = 100;
const TARGET_MAX_BYTES_PER_STREAM = 20 * 1024;
const TARGET_MAX_FANOUT_RATIO = 2;
/** How long one event may take to reach every listener before the run counts it as lost. */
const ARRIVAL_TIMEOUT_MS = 15_000;
/** File descriptors this process needs beyond one per stream (database, emulator, webhooks). */
const SPARE_FILES = 512;

interface Phase {
  /** Per twilioSid, arrival times at each listener (monotonic ms). */
  readonly arrivals: Readonly<Record<string, readonly number[]>>;
  readonly blocks: Readonly<Record<string, string>>;
  /** Memory of this process with no stream open, and with every stream open. */
  readonly idle: MemorySnapshot;
  readonly streaming: MemorySnapshot;
  readonly open: number;
  readonly lost: number;
}

interface Distribution {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Per event, the time to its last listener ("at every client"), median over the series. */
  readonly lastP50: number;
  readonly pairs: number;
}

/**
 * `npm run bench -- sse-fanout`: 1,000 agents of one company on `GET /events` (each its own
 * socket and token, in a child process), then a series of inbound webhooks one at a time;
 * for each, the time from its 200 to its `message.created` at every listener, and from the
 * moment the event reached the hub to every listener (the fan-out itself). A raw `node:http`
 * server holding 1,000 responses writes the same event text to as many listeners: the floor.
 * Also the service's memory per open stream (this process, after GC, streams open vs not).
 */
export const sseFanoutBenchmark: Benchmark = {
  name: 'sse-fanout',
  description: '1,000 SSE listeners of one company: webhook 200 to event at every listener, memory per stream, vs raw node:http',
  async run({ log, args }): Promise<BenchmarkResult> {
    const env = process.env;
    const clients = integerOption(args, env, { name: 'clients', defaultValue: 1000, min: 1, max: 20_000 });
    const count = integerOption(args, env, { name: 'webhooks', defaultValue: 40, min: 1, max: 10_000 });
    const warmup = integerOption(args, env, { name: 'warmup', defaultValue: 5, min: 0, max: 1000 });
    const backend = benchBackend(args, env);
    const limit = openFilesLimit();
    if (limit !== undefined && limit < clients + SPARE_FILES) {
      throw new Error(`${clients} streams need about ${clients + SPARE_FILES} open files; this process may open ${limit}: raise it (ulimit -n ${clients + SPARE_FILES}) or pass --clients=${Math.max(1, limit - SPARE_FILES)}`);
    }
    const setup = await startIngestionSetup(log, { startWorkers: true, backend });
    const client = new WebhookClient(1);
    try {
      const webhooks = buildInboundWebhooks({ count: warmup + count, contacts: 10, accountSid: setup.accountSid, to: BENCH_WHATSAPP_NUMBER, authToken: setup.authToken, signedUrl: setup.serviceWebhookUrl });
      const measuredSids = webhooks.slice(warmup).map((w) => w.messageSid);

      // When each message.created reached the hub: this bus listener, added first, runs just before the hub's.
      const handoffAt = new Map<string, number>();
      const emitter = setup.service.app.get(EventEmitter2);
      const onEvent = (event: LoggedEvent): void => {
        if (event.name !== 'message.created') return;
        const sid = /"twilioSid":"([^"]+)"/.exec(event.data)?.[1];
        if (sid) handoffAt.set(sid, monotonicMs());
      };
      emitter.on(companyEventName(COMPANY), onEvent);
      // Added once the streams are open, after the hub's: how long the hub's synchronous send took.
      const handedOverIn: number[] = [];
      const afterHub = (event: LoggedEvent): void => {
        if (event.name !== 'message.created') return;
        const sid = /"twilioSid":"([^"]+)"/.exec(event.data)?.[1];
        const start = sid === undefined ? undefined : handoffAt.get(sid);
        if (start !== undefined && measuredSids.includes(sid!)) handedOverIn.push(monotonicMs() - start);
      };

      // The service: 1,000 agents, then the webhooks one at a time.
      const ackAt = new Map<string, number>();
      const hub = setup.service.container.get(SseHub);
      const tokens = Array.from({ length: clients }, (_, i) => jwt.sign({ sub: `bench-agent-${i}`, companyId: COMPANY, role: 'agent' }, setup.jwtSecret, { algorithm: 'HS256', expiresIn: '1h' }));
      log(`[bench] sse-fanout: opening ${clients} streams on the service`);
      const service = await runPhase(log, `${setup.service.url}/events`, tokens, () => hub.streamCount, async (listeners) => {
        emitter.on(companyEventName(COMPANY), afterHub);
        for (const webhook of webhooks) {
          const outcome = await client.post(setup.serviceWebhookUrl, webhook);
          if (!outcome.ok) throw new Error(`a webhook was refused: ${outcome.failure ?? 'failed'}`);
          ackAt.set(webhook.messageSid, monotonicMs());
          await listeners.arrival(webhook.messageSid);
        }
      });
      emitter.off(companyEventName(COMPANY), onEvent);
      emitter.off(companyEventName(COMPANY), afterHub);
      await waitUntilFiled(setup);

      // The floor: the same event text, written to as many raw node:http responses.
      const baselineServer = await startSseBaselineServer();
      const publishedAt = new Map<string, number>();
      const writtenIn: number[] = [];
      log(`[bench] sse-fanout: opening ${clients} streams on the raw node:http baseline`);
      const baseline = await (async () => {
        try {
          return await runPhase(log, baselineServer.url, tokens.map(() => null), () => baselineServer.streamCount, async (listeners) => {
            for (const sid of measuredSids) {
              const start = monotonicMs();
              publishedAt.set(sid, start);
              baselineServer.publish(service.blocks[sid] ?? '');
              writtenIn.push(monotonicMs() - start);
              await listeners.arrival(sid);
            }
          });
        } finally {
          await baselineServer.close();
        }
      })();

      const delivery = distribution(measuredSids, service.arrivals, ackAt);
      const fanout = distribution(measuredSids, service.arrivals, handoffAt);
      const floor = distribution(measuredSids, baseline.arrivals, publishedAt);
      const perStream = bytesPerStream(service, clients);
      const floorPerStream = bytesPerStream(baseline, clients);
      const ratio = floor.lastP50 > 0 ? fanout.lastP50 / floor.lastP50 : Number.POSITIVE_INFINITY;
      // What the open streams hold: RSS after GC also keeps heap pages grown while they connected.
      const retained = perStream.heap + perStream.external;
      const eventBytes = Buffer.byteLength(service.blocks[measuredSids[0] ?? ''] ?? '');
      const correct = service.open === clients && baseline.open === clients && service.lost === 0 && baseline.lost === 0 && delivery.pairs === clients * count;
      return {
        correct,
        lines: [
          `sse-fanout: ${clients} listeners (one company, agent tokens, a socket each, in a child process); ${warmup} warm-up then ${count} webhooks one at a time; database ${setup.database.kind} (${setup.database.storage ?? 'external'}); ${eventBytes} bytes written per webhook`,
          `streams open: service ${service.open}/${clients}, baseline ${baseline.open}/${clients}; events lost: service ${service.lost}, baseline ${baseline.lost}`,
          `service, 200 → message.created at each listener: ${line(delivery)} (target p99 < ${TARGET_P99_MS} ms: ${delivery.p99 < TARGET_P99_MS ? 'met' : 'MISSED'})`,
          `service fan-out, event at the hub → each listener: ${line(fanout)}`,
          `raw node:http, first write → each listener:        ${line(floor)}`,
          `synchronous send to ${clients} responses: hub p50 ${median(handedOverIn).toFixed(1)} ms, raw write loop p50 ${median(writtenIn).toFixed(1)} ms`,
          `fan-out to the last listener, service/raw: ${ratio.toFixed(2)} (target <= ${TARGET_MAX_FANOUT_RATIO}: ${ratio <= TARGET_MAX_FANOUT_RATIO ? 'met' : 'MISSED'})`,
          `service memory per open stream${service.streaming.afterGc ? ' (after GC)' : ' (no GC: run node with --expose-gc)'}: heap + external ${kb(retained)} (target < ${kb(TARGET_MAX_BYTES_PER_STREAM)}: ${retained < TARGET_MAX_BYTES_PER_STREAM ? 'met' : 'MISSED'}); RSS ${kb(perStream.rss)} (${megabytes(service.idle.rssBytes)} → ${megabytes(service.streaming.rssBytes)})`,
          `raw node:http memory per open stream: heap + external ${kb(floorPerStream.heap + floorPerStream.external)}, RSS ${kb(floorPerStream.rss)}`,
        ],
      };
    } finally {
      client.close();
      await setup.close();
    }
  },
};

interface Listeners {
  /** Resolves once `sid`'s message.created reached every listener (rejects after ARRIVAL_TIMEOUT_MS). */
  arrival(sid: string): Promise<void>;
}

/** Opens the listeners on `url`, measures memory, runs `drive`, collects the arrival times, closes the listeners. */
async function runPhase(
  log: (line: string) => void,
  url: string,
  tokens: readonly (string | null)[],
  serverStreams: () => number,
  drive: (listeners: Listeners) => Promise<void>,
): Promise<Phase> {
  const idle = await ownMemory();
  const child = startClients(tokens.length);
  const waiting = new Map<string, () => void>();
  const arrived = new Set<string>();
  let lost = 0;
  const replies = new Map<FromClients['kind'], (message: FromClients) => void>();
  child.on('message', (message: FromClients) => {
    if (message.kind === 'arrived') {
      arrived.add(message.sid);
      waiting.get(message.sid)?.();
    } else {
      replies.get(message.kind)?.(message);
    }
  });
  const ask = <K extends FromClients['kind']>(request: ToClients, kind: K): Promise<Extract<FromClients, { kind: K }>> =>
    new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the listeners' process exited (${code})`)));
      replies.set(kind, (message) => resolve(message as Extract<FromClients, { kind: K }>));
      child.send(request);
    });
  try {
    const opened = await ask({ kind: 'open', url, tokens, concurrency: 50 }, 'opened');
    if (opened.failures.length > 0) log(`[bench] sse-fanout: ${tokens.length - opened.open} streams refused, e.g. ${opened.failures.join(', ')}`);
    // The server registers a stream just after its first bytes: wait until it holds them all.
    const deadline = Date.now() + 10_000;
    while (serverStreams() < opened.open && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const streaming = await ownMemory();
    log(`[bench] sse-fanout: ${serverStreams()} streams open`);
    await drive({
      arrival: (sid) =>
        arrived.has(sid)
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              const timer = setTimeout(() => {
                lost += 1;
                waiting.delete(sid);
                resolve();
              }, ARRIVAL_TIMEOUT_MS);
              waiting.set(sid, () => {
                clearTimeout(timer);
                waiting.delete(sid);
                resolve();
              });
            }),
    });
    const report = await ask({ kind: 'report' }, 'report');
    return { arrivals: report.arrivals, blocks: report.blocks, idle, streaming, open: opened.open, lost };
  } finally {
    child.removeAllListeners('exit');
    if (child.connected) child.send({ kind: 'close' });
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
}

/** The listeners' process, with its open-files limit raised to what `streams` sockets need where allowed. */
function startClients(streams: number): ChildProcess {
  const script = join(__dirname, 'sse-fanout-clients.js');
  return spawn('/bin/sh', ['-c', `ulimit -n ${streams + SPARE_FILES} 2>/dev/null; exec "$0" "$1"`, process.execPath, script], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

function distribution(sids: readonly string[], arrivals: Readonly<Record<string, readonly number[]>>, startedAt: ReadonlyMap<string, number>): Distribution {
  const all: number[] = [];
  const lasts: number[] = [];
  for (const sid of sids) {
    const start = startedAt.get(sid);
    const times = arrivals[sid];
    if (start === undefined || times === undefined || times.length === 0) continue;
    const lags = times.map((t) => t - start);
    all.push(...lags);
    lasts.push(Math.max(...lags));
  }
  all.sort((a, b) => a - b);
  lasts.sort((a, b) => a - b);
  return { p50: percentile(all, 50), p99: percentile(all, 99), max: all.at(-1) ?? Number.NaN, lastP50: percentile(lasts, 50), pairs: all.length };
}

function bytesPerStream(phase: Phase, streams: number): { heap: number; external: number; rss: number } {
  return {
    heap: (phase.streaming.heapUsedBytes - phase.idle.heapUsedBytes) / streams,
    external: (phase.streaming.externalBytes - phase.idle.externalBytes) / streams,
    rss: (phase.streaming.rssBytes - phase.idle.rssBytes) / streams,
  };
}

function line(d: Distribution): string {
  return `p50 ${d.p50.toFixed(1)} ms, p99 ${d.p99.toFixed(1)} ms, max ${d.max.toFixed(1)} ms; to the last listener p50 ${d.lastP50.toFixed(1)} ms`;
}

function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
