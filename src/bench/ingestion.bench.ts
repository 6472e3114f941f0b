import { availableParallelism, loadavg } from 'node:os';
import type { Benchmark, BenchmarkResult } from './benchmark';
import { flagOption, integerOption } from './bench-options';
import { DatabaseOperationProfiler, type OperationCount } from './database-operation-profiler';
import { buildInboundWebhooks } from './inbound-traffic';
import { BENCH_WHATSAPP_NUMBER, startIngestionSetup, waitUntilFiled, type IngestionSetup } from './ingestion-setup';
import { combineRuns, runAtConcurrency, summarize, type LoadRun, type LoadSummary } from './load-runner';
import { CpuMeter } from './process-cpu';
import { benchBackend, type BenchBackend } from './bench-database';
import { failureLines, summaryTable } from './report-format';
import { checkTickets, storedBaselineSids, storedServiceSids } from './ingestion-checks';
import { checkStoredOnce, type StoredOnceReport } from './stored-once';
import { WebhookClient, type PreparedWebhook } from './webhook-client';

/** The targets for the service at the default concurrency. */
const TARGET_MIN_RATIO = 0.5;
const TARGET_MAX_P99_MS = 50;
/** Answered-and-filed messages per second: on the memory backend, and on H2 (what `npm start` uses). */
const TARGET_MIN_FILED_PER_SECOND: Record<BenchBackend, number> = { memory: 250, h2: 100 };
/** Warm-up customers get numbers of their own, so the measured run still opens its tickets. */
const WARM_UP_CONTACT_OFFSET = 9_000_000;

interface IngestionSettings {
  readonly count: number;
  readonly concurrency: number;
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

/** One system under load: its URL and everything recorded about it during the run. */
interface TargetRecord {
  readonly url: string;
  readonly runs: LoadRun[];
  ownCpuSeconds: number;
  databaseCpuSeconds: number | undefined;
  /** Every MessageSid sent, and those acknowledged (2xx) at least once. */
  readonly sent: Set<string>;
  readonly acked: Set<string>;
  replaysSent: number;
  replayFailures: number;
  /** Measured runs cut short by the time budget: "sent of planned" each. */
  readonly cutShort: string[];
  /** Service only: after each measured run, how long until every acknowledged message was filed on its ticket. */
  readonly filingMs: number[];
}

export const ingestionBenchmark: Benchmark = {
  name: 'ingestion',
  description:
    'signed inbound webhooks (unique MessageSids) at fixed concurrency: the service vs a raw node:http + one-insert baseline on the same database server',
  async run({ log, args }): Promise<BenchmarkResult> {
    const settings = readSettings(args);
    const setup = await startIngestionSetup(log, { startWorkers: settings.workers, backend: settings.backend });
    const client = new WebhookClient(settings.concurrency);
    try {
      return await measure(setup, client, settings, log);
    } finally {
      client.close();
      await setup.close();
    }
  },
};

function readSettings(args: readonly string[]): IngestionSettings {
  const env = process.env;
  return {
    count: integerOption(args, env, { name: 'count', defaultValue: 5000, min: 2, max: 1_000_000 }),
    concurrency: integerOption(args, env, { name: 'concurrency', defaultValue: 50, min: 1, max: 1000 }),
    contacts: integerOption(args, env, { name: 'contacts', defaultValue: 200, min: 1, max: 1_000_000 }),
    warmup: integerOption(args, env, { name: 'warmup', defaultValue: 200, min: 0, max: 100_000 }),
    replays: integerOption(args, env, { name: 'replays', defaultValue: 100, min: 0, max: 100_000 }),
    budgetSeconds: integerOption(args, env, { name: 'budget-seconds', defaultValue: 60, min: 1, max: 3600 }),
    profile: flagOption(args, env, 'profile'),
    workers: !flagOption(args, env, 'no-workers'),
    backend: benchBackend(args, env),
  };
}

async function measure(setup: IngestionSetup, client: WebhookClient, settings: IngestionSettings, log: (line: string) => void): Promise<BenchmarkResult> {
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
  const measured = traffic(settings.count, settings.contacts);
  const half = Math.ceil(measured.length / 2);
  const halves = [measured.slice(0, half), measured.slice(half)] as const;
  const contactOf = new Map([...warmUp, ...measured].map((w) => [w.messageSid, w.from]));

  const cpu = new CpuMeter(setup.database.pid);
  const record = (url: string): TargetRecord => ({
    url, runs: [], ownCpuSeconds: 0, databaseCpuSeconds: 0, sent: new Set(), acked: new Set(), replaysSent: 0, replayFailures: 0, cutShort: [], filingMs: [],
  });
  const budgetMs = settings.budgetSeconds * 1000;
  const targets: Record<Target, TargetRecord> = { baseline: record(setup.baselineWebhookUrl), service: record(setup.serviceWebhookUrl) };

  const send = async (target: Target, webhooks: readonly PreparedWebhook[], runBudgetMs: number): Promise<LoadRun> => {
    const t = targets[target];
    const run = await runAtConcurrency(webhooks, settings.concurrency, (webhook) => client.post(t.url, webhook), { budgetMs: runBudgetMs });
    run.outcomes.forEach((outcome, index) => {
      const sid = (webhooks[index] as PreparedWebhook).messageSid;
      t.sent.add(sid);
      if (outcome.ok) t.acked.add(sid);
    });
    return run;
  };
  const measuredRun = async (target: Target, webhooks: readonly PreparedWebhook[]): Promise<void> => {
    const stop = cpu.start();
    const run = await send(target, webhooks, budgetMs);
    const t = targets[target];
    // The service answers once a message is in its inbox and files it on the ticket right
    // after: wait for that work too, inside the measurement (its CPU counts, and it must not
    // slow the next system's run).
    if (target === 'service') t.filingMs.push(await waitUntilFiled(setup));
    const used = stop();
    t.runs.push(run);
    if (run.outcomes.length < webhooks.length) t.cutShort.push(`${run.outcomes.length} of ${webhooks.length}`);
    t.ownCpuSeconds += used.ownSeconds;
    t.databaseCpuSeconds = t.databaseCpuSeconds === undefined || used.databaseSeconds === undefined ? undefined : t.databaseCpuSeconds + used.databaseSeconds;
    log(`[bench] ${target}: ${run.outcomes.length} webhooks in ${(run.elapsedMs / 1000).toFixed(1)} s`);
  };

  // On a shared machine the figures mean little without the load they were taken under.
  const loadBefore = loadavg()[0] ?? 0;
  log(`[bench] warm-up: ${warmUp.length} webhooks to each system (not counted)`);
  await send('baseline', warmUp, budgetMs / 2);
  await send('service', warmUp, budgetMs / 2);

  // A-B-B-A: any drift over the run (caches, database growth) weighs on both systems alike.
  const profiler = new DatabaseOperationProfiler();
  await measuredRun('baseline', halves[0]);
  if (settings.profile) profiler.start();
  await measuredRun('service', halves[0]);
  await measuredRun('service', halves[1]);
  const operations = settings.profile ? profiler.stop() : [];
  await measuredRun('baseline', halves[1]);

  for (const target of ['baseline', 'service'] as const) {
    const t = targets[target];
    // Each replay twice at once: concurrent duplicates are where idempotency breaks.
    const replays = measured.filter((w) => t.acked.has(w.messageSid)).slice(0, settings.replays).flatMap((w) => [w, w]);
    const run = await send(target, replays, budgetMs / 2);
    t.replaysSent = run.outcomes.length;
    t.replayFailures = run.outcomes.filter((outcome) => !outcome.ok).length;
  }

  await waitUntilFiled(setup);
  const baseline = summarize(combineRuns(targets.baseline.runs));
  const service = summarize(combineRuns(targets.service.runs));
  const serviceSendMs = targets.service.runs.reduce((total, run) => total + run.elapsedMs, 0);
  const serviceFilingMs = targets.service.filingMs.reduce((total, ms) => total + ms, 0);
  const endToEnd = serviceSendMs + serviceFilingMs > 0 ? (service.requests - service.errors) / ((serviceSendMs + serviceFilingMs) / 1000) : 0;
  const storedBaseline = checkStoredOnce(targets.baseline.acked, notAcked(targets.baseline), await storedBaselineSids(setup));
  const storedService = checkStoredOnce(targets.service.acked, notAcked(targets.service), await storedServiceSids(setup));
  const tickets = await checkTickets(setup, storedService, [...targets.service.acked].map((sid) => contactOf.get(sid)));

  const ratio = baseline.throughput > 0 ? service.throughput / baseline.throughput : 0;
  const lines = [
    `ingestion: up to ${settings.count} signed inbound webhooks per system (unique MessageSids, ${settings.contacts} contacts) at concurrency ${settings.concurrency}, after ${warmUp.length} warm-up webhooks each (not counted); database ${setup.database.kind} (${setup.database.storage ?? 'external'}); service workers ${settings.workers ? 'running' : 'off'}`,
    `machine: ${availableParallelism()} cores, 1-minute load average ${loadBefore.toFixed(2)} before the run and ${(loadavg()[0] ?? 0).toFixed(2)} after; client, baseline and service share this Node process`,
    `order: baseline, service, service, baseline (two halves of ${half} each; figures combine both halves)`,
    ...summaryTable([
      { label: 'baseline', summary: baseline, ownCpuSeconds: targets.baseline.ownCpuSeconds, databaseCpuSeconds: targets.baseline.databaseCpuSeconds },
      { label: 'service', summary: service, ownCpuSeconds: targets.service.ownCpuSeconds, databaseCpuSeconds: targets.service.databaseCpuSeconds },
    ]),
    ...failureLines('baseline', baseline),
    ...failureLines('service', service),
    ...(['baseline', 'service'] as const)
      .filter((target) => targets[target].cutShort.length > 0)
      .map((target) => `${target}: the ${settings.budgetSeconds} s budget per run ran out; sent ${targets[target].cutShort.join(' and ')}`),
    `halves (acked/s): baseline ${halfThroughputs(targets.baseline)}, service ${halfThroughputs(targets.service)}`,
    `service filing (ticket, counters, events — after the answer): done ${targets.service.filingMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(' and ')} after each run's last answer; answered and filed: ${endToEnd.toFixed(1)} msg/s`,
    filedLine(endToEnd, TARGET_MIN_FILED_PER_SECOND[settings.backend], settings.backend),
    `ratio service/baseline throughput: ${ratio.toFixed(2)} (target >= ${TARGET_MIN_RATIO}: ${ratio >= TARGET_MIN_RATIO ? 'met' : 'MISSED'})`,
    `service p99: ${service.p99Ms.toFixed(1)} ms (target < ${TARGET_MAX_P99_MS} ms: ${service.p99Ms < TARGET_MAX_P99_MS ? 'met' : 'MISSED'})`,
    storedLine('baseline', storedBaseline),
    storedLine('service', storedService),
    tickets.line,
    `replays (${settings.replays} acknowledged MessageSids, each sent twice at once): baseline ${replayLine(targets.baseline)}, service ${replayLine(targets.service)}`,
    ...profileLines(operations, service),
  ];
  const correct =
    storedBaseline.correct && storedService.correct && tickets.correct && allAcknowledged(baseline, targets.baseline) && allAcknowledged(service, targets.service);
  return { lines, correct };
}

function filedLine(perSecond: number, target: number, backend: BenchBackend): string {
  return `service answered and filed: ${perSecond.toFixed(1)} msg/s (target on ${backend} >= ${target}: ${perSecond >= target ? 'met' : 'MISSED'})`;
}

function notAcked(t: TargetRecord): string[] {
  return [...t.sent].filter((sid) => !t.acked.has(sid));
}

/** A valid signed webhook that is refused is a failure of the receiver, as is a lost message. */
function allAcknowledged(summary: LoadSummary, t: TargetRecord): boolean {
  return summary.errors === 0 && t.replayFailures === 0 && t.acked.size === t.sent.size;
}

function storedLine(label: string, report: StoredOnceReport): string {
  const verdict = report.correct ? 'every acknowledged message stored exactly once' : 'NOT CORRECT';
  const sample = (sids: readonly string[]): string => (sids.length === 0 ? '0' : `${sids.length} (e.g. ${sids.slice(0, 3).join(', ')})`);
  return (
    `${label} stored: ${report.stored} messages for ${report.acknowledged} acknowledged — ${verdict}; ` +
    `missing ${sample(report.missing)}, duplicated ${sample(report.duplicated)}, unexpected ${sample(report.unexpected)}, stored but not acknowledged ${report.storedUnacknowledged.length}`
  );
}

function halfThroughputs(t: TargetRecord): string {
  return t.runs.map((run) => summarize(run).throughput.toFixed(0)).join(' / ');
}

function replayLine(t: TargetRecord): string {
  return `${t.replaysSent} sent, ${t.replayFailures === 0 ? 'all acknowledged' : `${t.replayFailures} NOT acknowledged`}`;
}

function profileLines(operations: readonly OperationCount[], service: LoadSummary): string[] {
  if (operations.length === 0) return [];
  const perWebhook = (calls: number): string => (calls / service.requests).toFixed(2);
  const total = operations.reduce((sum, op) => sum + op.calls, 0);
  return [
    `profile (service, measured webhooks only): ${perWebhook(total)} database operations per webhook`,
    ...operations.map((op) => `  ${op.operation.padEnd(36)} ${perWebhook(op.calls).padStart(6)} per webhook, mean ${(op.totalMs / op.calls).toFixed(1)} ms`),
  ];
}
