import { createParser } from 'eventsource-parser';
import jwt from 'jsonwebtoken';
import type { Benchmark, BenchmarkResult } from './benchmark';
import { flagOption, integerOption } from './bench-options';
import { DatabaseOperationProfiler } from './database-operation-profiler';
import { benchBackend } from './bench-database';
import { buildInboundWebhooks } from './inbound-traffic';
import { BENCH_WHATSAPP_NUMBER, startIngestionSetup, waitUntilFiled } from './ingestion-setup';
import { WebhookClient } from './webhook-client';

const TARGET_P99_MS = 1000;

/**
 * `npm run bench -- filing-lag`: webhooks at a steady rate (100/s by default) while an agent's
 * dashboard listens on SSE; for each message, the time from the service's 200 to its
 * `message.created` on the dashboard: what an agent waits for a customer's message.
 */
export const filingLagBenchmark: Benchmark = {
  name: 'filing-lag',
  description: 'steady inbound webhooks: time from the 200 to message.created on a dashboard (SSE)',
  async run({ log, args }): Promise<BenchmarkResult> {
    const env = process.env;
    const rate = integerOption(args, env, { name: 'rate', defaultValue: 100, min: 1, max: 10_000 });
    const seconds = integerOption(args, env, { name: 'seconds', defaultValue: 20, min: 1, max: 3600 });
    const contacts = integerOption(args, env, { name: 'contacts', defaultValue: 200, min: 1, max: 1_000_000 });
    const backend = benchBackend(args, env);
    const setup = await startIngestionSetup(log, { startWorkers: true, backend });
    const client = new WebhookClient(200);
    const stream = new AbortController();
    try {
      const token = jwt.sign({ sub: 'bench-agent', companyId: 'bench-company', role: 'agent' }, setup.jwtSecret, { algorithm: 'HS256', expiresIn: '1h' });
      const announcedAt = new Map<string, number>();
      const listening = await listen(`${setup.service.url}/events`, token, stream.signal, (sid) => {
        if (!announcedAt.has(sid)) announcedAt.set(sid, performance.now());
      });
      const webhooks = buildInboundWebhooks({ count: rate * seconds, contacts, accountSid: setup.accountSid, to: BENCH_WHATSAPP_NUMBER, authToken: setup.authToken, signedUrl: setup.serviceWebhookUrl });
      const ackedAt = new Map<string, number>();
      const profiler = new DatabaseOperationProfiler();
      if (flagOption(args, env, 'profile')) profiler.start();
      const startedAt = performance.now();
      const sends: Promise<void>[] = [];
      for (let i = 0; i < webhooks.length; i++) {
        const due = startedAt + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const webhook = webhooks[i]!;
        sends.push(
          client.post(setup.serviceWebhookUrl, webhook).then((outcome) => {
            if (outcome.ok) ackedAt.set(webhook.messageSid, performance.now());
          }),
        );
      }
      await Promise.all(sends);
      const sendSeconds = (performance.now() - startedAt) / 1000;
      await waitUntilFiled(setup);
      const deadline = Date.now() + 30_000;
      while ([...ackedAt.keys()].some((sid) => !announcedAt.has(sid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const lags = [...ackedAt].map(([sid, acked]) => (announcedAt.get(sid) ?? Number.POSITIVE_INFINITY) - acked).sort((a, b) => a - b);
      const missing = lags.filter((lag) => !Number.isFinite(lag)).length;
      const at = (q: number): number => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? 0;
      const p99 = at(0.99);
      const operations = profiler.stop();
      const total = operations.reduce((sum, op) => sum + op.calls, 0);
      stream.abort();
      await listening.done.catch(() => undefined);
      return {
        correct: missing === 0 && ackedAt.size === webhooks.length,
        lines: [
          `filing lag: ${webhooks.length} webhooks at ${rate}/s (sent in ${sendSeconds.toFixed(1)} s, ${contacts} contacts), one dashboard on SSE; database ${setup.database.kind} (${setup.database.storage ?? 'external'})`,
          `acknowledged ${ackedAt.size}/${webhooks.length}; announced ${ackedAt.size - missing}${missing > 0 ? ` — ${missing} NEVER ANNOUNCED` : ''}`,
          ...(operations.length === 0
            ? []
            : [
                `profile: ${(total / webhooks.length).toFixed(1)} database operations per webhook`,
                ...operations.map((op) => `  ${op.operation.padEnd(36)} ${(op.calls / webhooks.length).toFixed(2).padStart(6)} per webhook, mean ${(op.totalMs / op.calls).toFixed(1)} ms`),
              ]),
          `200 → message.created: p50 ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${(lags.at(-1) ?? 0).toFixed(1)} ms (target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'MISSED'})`,
        ],
      };
    } finally {
      stream.abort();
      client.close();
      await setup.close();
    }
  },
};

/** Opens the SSE stream; resolves once connected, calls `onMessage` with each announced message's SID. */
async function listen(url: string, token: string, signal: AbortSignal, onMessage: (sid: string) => void): Promise<{ readonly done: Promise<void> }> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, signal });
  if (response.status !== 200 || !response.body) throw new Error(`the event stream answered ${response.status}`);
  const parser = createParser({
    onEvent: (event) => {
      if (event.event !== 'message.created') return;
      const sid = (JSON.parse(event.data) as { twilioSid?: string }).twilioSid;
      if (sid) onMessage(sid);
    },
  });
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  const done = (async () => {
    for (;;) {
      const { done: ended, value } = await reader.read();
      if (ended) return;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  })();
  return { done };
}
