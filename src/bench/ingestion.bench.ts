import { availableParallelism, loadavg } from 'node:os';
import type { Benchmark, BenchmarkResult } from './benchmark';
import { flagOption, integerListOption, integerOption } from './bench-options';
import { CUT_OFF_BY_BUDGET, postWebhooksWithAutocannon } from './autocannon-load';
import { DatabaseOperationProfiler, type OperationCount } from './database-operation-profiler';
import { buildInboundWebhooks } from './inbound-traffic';
import { BENCH_WHATSAPP_NUMBER, startIngestionSetup, waitUntilFiled, type IngestionSetup } from './ingestion-setup';
import { combineRuns, summarize, type LoadRun, type LoadSummary } from './load-runner';
import { CpuMeter } from './process-cpu';
import { benchBackend, type BenchBackend } from './bench-database';
import { failureLines, summaryTable } from './report-format';
import { checkTickets, storedBaselineSids, storedServiceSids } from './ingestion-checks';
import { checkStoredOnce, type StoredOnceReport } from './stored-once';
import type { PreparedWebhook } from './webhook-client';

/** The targets for the service at the default concurrency. */
const TARGET_MIN_RATIO = 0.5;
const TARGET_MAX_P99_MS = 50;
/** Answered-and-filed messages per second: on the memory backend, and on H2 (what `npm start` uses). */
const TARGET_MIN_FILED_PER_SECOND: Record<BenchBackend, number> = { memory: 250, h2: 100 };
/** Warm-up customers get numbers of their own, so the measured run still opens its tickets. */
const WARM_UP_CONTACT_OFFSET = 9_000_000;

interface IngestionSettings {
  readonly count: number;
  /** The concurrency levels, measured one after the other, each with its own `count` webhooks per system. */
  readonly concurrencies: readonly number[];
  readonly contacts: number;
  readonly warmup: number;
  readonly replays: number;
  /** Time budget of each measured run; warm-up and replays get half each. */
  readonly budgetSeconds: number;
  readonly profile: boolean;
  /** The service's background workers (delivery, event fan-out) run as in production unless turned off. */
  readonly workers: boolean;
  readonly backend: BenchBackend;
}

type Target = 'baseline' | 'service';

/** What was sent to one system over the whole run, for the stored-once and replay checks. */
interface TargetTotals {
  readonly url: string;
  /** Every MessageSid sent, and those acknowledged (2xx) at least once. */
  readonly sent: Set<string>;
  readonly acked: Set<string>;
  /** Sent, then dropped in flight when a run's time budget ran out: may be stored or not. */
  readonly cutOff: Set<string>;
  replaysSent: number;
  replayFailures: number;
}

/** One system at one concurrency level: its measured runs and what they cost. */
interface LevelRecord {
  readonly runs: LoadRun[];
  ownCpuSeconds: number;
  databaseCpuSeconds: number | undefined;
  /** Measured runs cut short by the time budget: "sent of planned" each. */
  readonly cutShort: string[];
  /** Service only: after each measured run, how long until every acknowledged message was filed on its ticket. */
  readonly filingMs: number[];
}

interface LevelFigures {
  readonly concurrency: number;
  readonly baseline: LoadSummary;
  readonly service: LoadSummary;
  readonly records: Record<Target, LevelRecord>;
  /** Answered and filed messages per second (service). */
  readonly filedPerSecond: number;
}

export const ingestionBenchmark: Benchmark = {
  name: 'ingestion',
  description:
    'signed inbound webhooks (unique MessageSids) at concurrency 10, 50 and 200 (autocannon): the service vs a raw node:http + one-insert baseline on the same database server',
  async run({ log, args }): Promise<BenchmarkResult> {
    const settings = readSettings(args);
    const setup = await startIngestionSetup(log, { startWorkers: settings.workers, backend: settings.backend });
    try {
      return await measure(setup, settings, log);
    } finally {
      await setup.close();
    }
  },
};

function readSettings(args: readonly string[]): IngestionSettings {
  const env = process.env;
  return {
    count: integerOption(args, env, { name: 'count', defaultValue: 3000, min: 2, max: 1_000_000 }),
    concurrencies: integerListOption(args, env, { name: 'concurrency', defaultValue: [10, 50, 200], min: 1, max: 1000 }),
    contacts: integerOption(args, env, { name: 'contacts', defaultValue: 200, min: 1, max: 1_000_000 }),
    warmup: integerOption(args, env, { name: 'warmup', defaultValue: 200, min: 0, max: 100_000 }),
    replays: integerOption(args, env, { name: 'replays', defaultValue: 100, min: 0, max: 100_000 }),
    budgetSeconds: integerOption(args, env, { name: 'budget-seconds', defaultValue: 60, min: 1, max: 3600 }),
    profile: flagOption(args, env, 'profile'),
    workers: !flagOption(args, env, 'no-workers'),
    backend: benchBackend(args, env),
  };
}

async function measure(setup: IngestionSetup, settings: IngestionSettings, log: (line: string) => void): Promise<BenchmarkResult> {
  const traffic = (count: number, contacts: number, contactOffset = 0): PreparedWebhook[] =>
    buildInboundWebhooks({
      count,
      contacts,
      contactOffset,
      accountSid: setup.accountSid,
      to: BENCH_WHATSAPP_NUMBER,
      authToken: setup.authToken,
      signedUrl: setup.serviceWebhookUrl,
    });
  // The very same requests go to both systems (the baseline ignores the signature).
  const warmUp = traffic(settings.warmup, Math.min(settings.contacts, Math.max(settings.warmup, 1)), WARM_UP_CONTACT_OFFSET);
  // Each level its own webhooks, from the same customers: later levels append to open tickets.
  const measured = settings.concurrencies.map(() => traffic(settings.count, settings.contacts));
  const contactOf = new Map([...warmUp, ...measured.flat()].map((w) => [w.messageSid, w.from]));

  const cpu = new CpuMeter(setup.database.pid);
  const totals = (url: string): TargetTotals => ({ url, sent: new Set(), acked: new Set(), cutOff: new Set(), replaysSent: 0, replayFailures: 0 });
  const budgetMs = settings.budgetSeconds * 1000;
  const targets: Record<Target, TargetTotals> = { baseline: totals(setup.baselineWebhookUrl), service: totals(setup.serviceWebhookUrl) };

  const send = async (target: Target, webhooks: readonly PreparedWebhook[], concurrency: number, runBudgetMs: number): Promise<LoadRun> => {
    const t = targets[target];
    const run = await postWebhooksWithAutocannon(t.url, webhooks, concurrency, { budgetMs: runBudgetMs });
    run.outcomes.forEach((outcome, index) => {
      const sid = (webhooks[index] as PreparedWebhook).messageSid;
      t.sent.add(sid);
      if (outcome.ok) t.acked.add(sid);
      else if (outcome.failure === CUT_OFF_BY_BUDGET) t.cutOff.add(sid);
    });
    return run;
  };
  const measuredRun = async (target: Target, level: LevelRecord, webhooks: readonly PreparedWebhook[], concurrency: number): Promise<void> => {
    const stop = cpu.start();
    const run = await send(target, webhooks, concurrency, budgetMs);
    // The service answers once a message is in its inbox and files it on the ticket right
    // after: wait for that work too, inside the measurement (its CPU counts, and it must not
    // slow the next system's run).
    if (target === 'service') level.filingMs.push(await waitUntilFiled(setup));
    const used = stop();
    level.runs.push(run);
    if (run.outcomes.length < webhooks.length) level.cutShort.push(`${run.outcomes.length} of ${webhooks.length}`);
    level.ownCpuSeconds += used.ownSeconds;
    level.databaseCpuSeconds = level.databaseCpuSeconds === undefined || used.databaseSeconds === undefined ? undefined : level.databaseCpuSeconds + used.databaseSeconds;
    log(`[bench] ${target} at concurrency ${concurrency}: ${run.outcomes.length} webhooks in ${(run.elapsedMs / 1000).toFixed(1)} s`);
  };

  // On a shared machine the figures mean little without the load they were taken under.
  const loadBefore = loadavg()[0] ?? 0;
  const firstConcurrency = settings.concurrencies[0] ?? 1;
  log(`[bench] warm-up: ${warmUp.length} webhooks to each system (not counted)`);
  await send('baseline', warmUp, firstConcurrency, budgetMs / 2);
  await send('service', warmUp, firstConcurrency, budgetMs / 2);

  const profiler = new DatabaseOperationProfiler();
  // The profiler's counts add up over its start/stop spans: the last stop answers all levels' service runs.
  let operations: OperationCount[] = [];
  const levels: LevelFigures[] = [];
  for (const [n, concurrency] of settings.concurrencies.entries()) {
    const webhooks = measured[n]!;
    const half = Math.ceil(webhooks.length / 2);
    const halves = [webhooks.slice(0, half), webhooks.slice(half)] as const;
    const level = (): LevelRecord => ({ runs: [], ownCpuSeconds: 0, databaseCpuSeconds: 0, cutShort: [], filingMs: [] });
    const records: Record<Target, LevelRecord> = { baseline: level(), service: level() };
    // A-B-B-A: any drift over the run (caches, database growth) weighs on both systems alike.
    await measuredRun('baseline', records.baseline, halves[0], concurrency);
    if (settings.profile) profiler.start();
    await measuredRun('service', records.service, halves[0], concurrency);
    await measuredRun('service', records.service, halves[1], concurrency);
    if (settings.profile) operations = profiler.stop();
    await measuredRun('baseline', records.baseline, halves[1], concurrency);
    const service = summarize(combineRuns(records.service.runs));
    const sendMs = records.service.runs.reduce((total, run) => total + run.elapsedMs, 0);
    const filingMs = records.service.filingMs.reduce((total, ms) => total + ms, 0);
    const filedPerSecond = sendMs + filingMs > 0 ? (service.requests - service.errors) / ((sendMs + filingMs) / 1000) : 0;
    levels.push({ concurrency, baseline: summarize(combineRuns(records.baseline.runs)), service, records, filedPerSecond });
  }

  log(`[bench] replays: up to ${settings.replays} acknowledged MessageSids, each sent twice at once, to each system`);
  for (const target of ['baseline', 'service'] as const) {
    const t = targets[target];
    // Each replay twice at once: concurrent duplicates are where idempotency breaks.
    const replays = measured.flat().filter((w) => t.acked.has(w.messageSid)).slice(0, settings.replays).flatMap((w) => [w, w]);
    const run = await send(target, replays, 50, budgetMs / 2);
    t.replaysSent = run.outcomes.length;
    t.replayFailures = run.outcomes.filter((outcome) => !outcome.ok).length;
  }

  log('[bench] waiting for the service to file what it acknowledged, then checking what was stored');
  await waitUntilFiled(setup);
  const storedBaseline = checkStoredOnce(targets.baseline.acked, notAcked(targets.baseline), await storedBaselineSids(setup));
  const storedService = checkStoredOnce(targets.service.acked, notAcked(targets.service), await storedServiceSids(setup));
  const tickets = await checkTickets(setup, storedService, [...targets.service.acked].map((sid) => contactOf.get(sid)));

  const lines = [
    `ingestion: ${settings.count} signed inbound webhooks per system at each concurrency (${settings.concurrencies.join(', ')}; unique MessageSids, ${settings.contacts} contacts; autocannon, keep-alive connections), after ${warmUp.length} warm-up webhooks each (not counted); database ${setup.database.kind} (${setup.database.storage ?? 'external'}); service workers ${settings.workers ? 'running' : 'off'}`,
    `machine: ${availableParallelism()} cores, 1-minute load average ${loadBefore.toFixed(2)} before the run and ${(loadavg()[0] ?? 0).toFixed(2)} after; client, baseline and service share this Node process`,
    `order at each level: baseline, service, service, baseline (two halves; figures combine both)`,
    ...summaryTable(
      levels.flatMap((l) => [
        { label: `baseline c=${l.concurrency}`, summary: l.baseline, ownCpuSeconds: l.records.baseline.ownCpuSeconds, databaseCpuSeconds: l.records.baseline.databaseCpuSeconds },
        { label: `service c=${l.concurrency}`, summary: l.service, ownCpuSeconds: l.records.service.ownCpuSeconds, databaseCpuSeconds: l.records.service.databaseCpuSeconds },
      ]),
    ),
    ...levels.flatMap((l) => [...failureLines(`baseline c=${l.concurrency}`, l.baseline), ...failureLines(`service c=${l.concurrency}`, l.service)]),
    ...levels.flatMap((l) =>
      (['baseline', 'service'] as const)
        .filter((target) => l.records[target].cutShort.length > 0)
        .map((target) => `${target} c=${l.concurrency}: the ${settings.budgetSeconds} s budget per run ran out; sent ${l.records[target].cutShort.join(' and ')}`),
    ),
    ...levels.map((l) => levelLine(l, settings.backend)),
    storedLine('baseline', storedBaseline),
    storedLine('service', storedService),
    tickets.line,
    `replays (${settings.replays} acknowledged MessageSids, each sent twice at once): baseline ${replayLine(targets.baseline)}, service ${replayLine(targets.service)}`,
    ...profileLines(operations, levels.reduce((sum, l) => sum + l.service.requests, 0)),
  ];
  const refused = (summary: LoadSummary): number => summary.errors - (summary.failures.get(CUT_OFF_BY_BUDGET) ?? 0);
  const everyRunAcknowledged = levels.every((l) => refused(l.baseline) === 0 && refused(l.service) === 0);
  const correct =
    storedBaseline.correct && storedService.correct && tickets.correct && everyRunAcknowledged && allAcknowledged(targets.baseline) && allAcknowledged(targets.service);
  return { lines, correct };
}

/** One level's verdicts: answered and filed, the ratio to the baseline, the acknowledgement p99. */
function levelLine(l: LevelFigures, backend: BenchBackend): string {
  const ratio = l.baseline.throughput > 0 ? l.service.throughput / l.baseline.throughput : 0;
  const filingSeconds = l.records.service.filingMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(' and ');
  const target = TARGET_MIN_FILED_PER_SECOND[backend];
  return (
    `c=${l.concurrency}: service answered and filed ${l.filedPerSecond.toFixed(1)} msg/s (target on ${backend} >= ${target}: ${l.filedPerSecond >= target ? 'met' : 'MISSED'}; filing done ${filingSeconds} after each run's last answer); ` +
    `ratio service/baseline throughput ${ratio.toFixed(2)} (target >= ${TARGET_MIN_RATIO}: ${ratio >= TARGET_MIN_RATIO ? 'met' : 'MISSED'}); ` +
    `service p99 ${l.service.p99Ms.toFixed(1)} ms (target < ${TARGET_MAX_P99_MS} ms: ${l.service.p99Ms < TARGET_MAX_P99_MS ? 'met' : 'MISSED'})`
  );
}

function notAcked(t: TargetTotals): string[] {
  return [...t.sent].filter((sid) => !t.acked.has(sid));
}

/** A valid signed webhook that is refused is a failure of the receiver, as is a lost message. */
function allAcknowledged(t: TargetTotals): boolean {
  return t.replayFailures === 0 && t.acked.size + [...t.cutOff].filter((sid) => !t.acked.has(sid)).length === t.sent.size;
}

function storedLine(label: string, report: StoredOnceReport): string {
  const verdict = report.correct ? 'every acknowledged message stored exactly once' : 'NOT CORRECT';
  const sample = (sids: readonly string[]): string => (sids.length === 0 ? '0' : `${sids.length} (e.g. ${sids.slice(0, 3).join(', ')})`);
  return (
    `${label} stored: ${report.stored} messages for ${report.acknowledged} acknowledged — ${verdict}; ` +
    `missing ${sample(report.missing)}, duplicated ${sample(report.duplicated)}, unexpected ${sample(report.unexpected)}, stored but not acknowledged ${report.storedUnacknowledged.length}`
  );
}

function replayLine(t: TargetTotals): string {
  return `${t.replaysSent} sent, ${t.replayFailures === 0 ? 'all acknowledged' : `${t.replayFailures} NOT acknowledged`}`;
}

function profileLines(operations: readonly OperationCount[], webhooks: number): string[] {
  if (operations.length === 0) return [];
  const perWebhook = (calls: number): string => (calls / webhooks).toFixed(2);
  const total = operations.reduce((sum, op) => sum + op.calls, 0);
  return [
    `profile (service, measured webhooks only): ${perWebhook(total)} database operations per webhook`,
    ...operations.map((op) => `  ${op.operation.padEnd(36)} ${perWebhook(op.calls).padStart(6)} per webhook, mean ${(op.totalMs / op.calls).toFixed(1)} ms`),
  ];
}
