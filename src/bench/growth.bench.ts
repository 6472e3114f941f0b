import type { Benchmark, BenchmarkResult } from './benchmark';
import { integerOption } from './bench-options';
import { benchBackend } from './bench-database';
import { buildInboundWebhooks } from './inbound-traffic';
import { BENCH_WHATSAPP_NUMBER, startIngestionSetup, waitUntilFiled, type IngestionSetup } from './ingestion-setup';
import { runAtConcurrency, summarize } from './load-runner';
import { seedHistory } from './seed-history';
import { WebhookClient } from './webhook-client';

const TARGET_MIN_KEPT = 0.7;
const BENCH_COMPANY = 'bench-company';

interface BurstFigures {
  readonly acked: number;
  readonly filedPerSecond: number;
  readonly ackP99Ms: number;
}

/**
 * `npm run bench -- growth`: the same inbound burst twice on one service, first on an empty
 * database, then after seeding a history (50,000 messages on 10,000 closed tickets by default):
 * how much of its answered-and-filed throughput the service keeps as the data grows.
 */
export const growthBenchmark: Benchmark = {
  name: 'growth',
  description: 'the inbound burst on an empty database, then on one holding a large history: answered-and-filed throughput kept',
  async run({ log, args }): Promise<BenchmarkResult> {
    const env = process.env;
    const count = integerOption(args, env, { name: 'count', defaultValue: 5000, min: 10, max: 1_000_000 });
    const concurrency = integerOption(args, env, { name: 'concurrency', defaultValue: 50, min: 1, max: 1000 });
    const contacts = integerOption(args, env, { name: 'contacts', defaultValue: 200, min: 1, max: 1_000_000 });
    const seedMessages = integerOption(args, env, { name: 'seed-messages', defaultValue: 50_000, min: 0, max: 10_000_000 });
    const seedTickets = integerOption(args, env, { name: 'seed-tickets', defaultValue: 10_000, min: 1, max: 1_000_000 });
    const backend = benchBackend(args, env);
    const setup = await startIngestionSetup(log, { startWorkers: true, backend });
    const client = new WebhookClient(concurrency);
    try {
      const burst = async (label: string, contactOffset: number): Promise<BurstFigures> => {
        const webhooks = buildInboundWebhooks({ count, contacts, contactOffset, accountSid: setup.accountSid, to: BENCH_WHATSAPP_NUMBER, authToken: setup.authToken, signedUrl: setup.serviceWebhookUrl });
        const run = await runAtConcurrency(webhooks, concurrency, (webhook) => client.post(setup.serviceWebhookUrl, webhook), { budgetMs: 600_000 });
        const filingMs = await waitUntilFiled(setup);
        const summary = summarize(run);
        const acked = run.outcomes.filter((o) => o.ok).length;
        const figures = { acked, filedPerSecond: acked / ((run.elapsedMs + filingMs) / 1000), ackP99Ms: summary.p99Ms };
        log(`[bench] growth ${label}: ${acked}/${count} acknowledged, answered and filed at ${figures.filedPerSecond.toFixed(1)} msg/s`);
        return figures;
      };
      // A warm-up on other contacts, so both measured bursts meet a warmed service.
      await burst('warm-up', 8_000_000);
      const empty = await burst('empty database', 0);
      await seedHistory(setup.service.connection, { companyId: BENCH_COMPANY, integrationId: setup.integrationId, tickets: seedTickets, messages: seedMessages }, log);
      const grown = await burst(`with ${seedMessages} messages / ${seedTickets} tickets`, 1_000_000);
      const kept = empty.filedPerSecond > 0 ? grown.filedPerSecond / empty.filedPerSecond : 0;
      const stored = await countStored(setup);
      const expectedStored = 3 * count + seedMessages;
      return {
        correct: empty.acked === count && grown.acked === count && stored === expectedStored,
        lines: [
          `growth: ${count} signed webhooks (${contacts} contacts) at concurrency ${concurrency}, database ${setup.database.kind} (${setup.database.storage ?? 'external'})`,
          `empty database: answered and filed ${empty.filedPerSecond.toFixed(1)} msg/s, acknowledgement p99 ${empty.ackP99Ms.toFixed(1)} ms`,
          `holding ${seedMessages} messages and ${seedTickets} tickets: answered and filed ${grown.filedPerSecond.toFixed(1)} msg/s, acknowledgement p99 ${grown.ackP99Ms.toFixed(1)} ms`,
          `kept: ${kept.toFixed(2)} of the empty database's throughput (target >= ${TARGET_MIN_KEPT}: ${kept >= TARGET_MIN_KEPT ? 'met' : 'MISSED'})`,
          `stored: ${stored} messages (expected ${expectedStored}: the warm-up, both bursts and the seeded history)${stored === expectedStored ? '' : ' — NOT CORRECT'}`,
        ],
      };
    } finally {
      client.close();
      await setup.close();
    }
  },
};

async function countStored(setup: IngestionSetup): Promise<number> {
  const db = setup.service.connection.db;
  if (!db) throw new Error('the service database connection is closed');
  return db.collection('messages').countDocuments();
}
