import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TOKENS } from '../application/ports/tokens';
import { Ticket } from '../domain/ticket/ticket';
import { TicketRepository } from '../domain/ticket/ticket.repository';
import type { RunningService } from '../infrastructure/bootstrap/start-service';
import { startDatabaseServer } from '../infrastructure/persistence/database/database-server';
import { startTwilioEmulator, type TwilioEmulator } from '../emulator/twilio-emulator';
import type { Benchmark, BenchmarkResult } from './benchmark';
import { DatabaseOperationProfiler } from './database-operation-profiler';
import { startBenchService } from './bench-service';

const COMPANY = 'bench-company';
const SENDER = '+14155550199';

interface Scenario {
  readonly name: string;
  readonly tickets: number;
  readonly perTicket: number;
  /** The integration's sendRatePerSecond; 1000 (the maximum) is no effective limit here. */
  readonly rate: number;
}

interface Figures {
  readonly sends: number;
  readonly expected: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Most sends the emulator received in any sliding 1-second window. */
  readonly peakWindow: number;
  readonly acceptLatencyP50Ms: number;
  readonly dbOperationsPerMessage: number;
}

/**
 * `npm run bench -- outbound`: replies accepted over HTTP and delivered by the workers to the
 * Twilio emulator. Two scenarios: throughput with no effective rate limit, and rate accuracy
 * at 20/s (the emulator's arrival timestamps, sliding 1-second windows). Correct means every
 * message sent exactly once, each ticket's messages in order, and never over the rate.
 */
export const outboundBenchmark: Benchmark = {
  name: 'outbound',
  description: 'outbound delivery: throughput without a rate limit, and rate accuracy at 20/s',
  async run({ log, args }): Promise<BenchmarkResult> {
    const scale = args.includes('--quick') ? 0.4 : 1;
    const scenarios: Scenario[] = [
      { name: 'throughput (no effective limit)', tickets: 50, perTicket: Math.round(20 * scale), rate: 1000 },
      { name: 'rate accuracy (20/s)', tickets: 20, perTicket: Math.round(15 * scale), rate: 20 },
    ];
    const lines: string[] = [];
    let correct = true;
    for (const scenario of scenarios) {
      const figures = await runScenario(scenario, log);
      const ok = figures.sends === figures.expected && figures.duplicates === 0 && figures.outOfOrder === 0 && figures.peakWindow <= scenario.rate;
      correct &&= ok;
      lines.push(
        `outbound ${scenario.name}: ${figures.sends}/${figures.expected} messages sent in ${figures.seconds.toFixed(2)} s = ${figures.perSecond.toFixed(1)} msg/s; ` +
          `peak ${figures.peakWindow} in any 1 s window (limit ${scenario.rate}); duplicates ${figures.duplicates}; out of order ${figures.outOfOrder}; ` +
          `202 latency p50 ${figures.acceptLatencyP50Ms.toFixed(1)} ms; ${figures.dbOperationsPerMessage.toFixed(1)} database operations per message${ok ? '' : ' — INCORRECT'}`,
      );
    }
    return { lines, correct };
  },
};

async function runScenario(scenario: Scenario, log: (line: string) => void): Promise<Figures> {
  const database = await startDatabaseServer({ log });
  const emulator = await startTwilioEmulator({ senderOnlineDelayMs: 0 });
  let service: RunningService | null = null;
  try {
    const started = await startBenchService({ database, emulator, dbName: `bench_outbound_${randomBytes(4).toString('hex')}` });
    service = started.service;
    const { apiUrl, jwtSecret } = started;
    const auth = { Authorization: `Bearer ${jwt.sign({ sub: 'bench-agent', companyId: COMPANY, role: 'admin' }, jwtSecret, { algorithm: 'HS256' })}`, 'Content-Type': 'application/json' };
    const integrationId = await connectIntegration(emulator, apiUrl, auth, scenario.rate);
    const ticketIds = await openTickets(service, integrationId, scenario.tickets);
    log(`[bench] outbound ${scenario.name}: ${database.kind} database, ${scenario.tickets} tickets x ${scenario.perTicket} replies at ${scenario.rate}/s`);

    const profiler = new DatabaseOperationProfiler();
    profiler.start();
    const latencies: number[] = [];
    const ids: string[] = [];
    for (let n = 0; n < scenario.perTicket; n += 1) {
      const answers = await Promise.all(
        ticketIds.map(async (ticketId, i) => {
          const startedAt = performance.now();
          const answer = await fetch(`${apiUrl}/tickets/${ticketId}/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ body: `t${i} #${n}` }) });
          latencies.push(performance.now() - startedAt);
          if (answer.status !== 202) throw new Error(`reply answered ${answer.status}`);
          return ((await answer.json()) as { id: string }).id;
        }),
      );
      ids.push(...answers);
    }
    const expected = ids.length;
    const deadline = Date.now() + 10 * 60_000;
    const ours = () => emulator.state.sentMessages.filter((m) => m.from === `whatsapp:${SENDER}`);
    while (ours().length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 1000)); // late duplicates would show up now
    const profile = profiler.stop();
    const operations = profile.reduce((sum, op) => sum + op.calls, 0);
    for (const op of [...profile].sort((x, y) => y.totalMs - x.totalMs).slice(0, 12)) {
      log(`[bench]   ${op.operation}: ${op.calls} calls, ${(op.totalMs / Math.max(op.calls, 1)).toFixed(1)} ms each`);
    }

    const sends = ours();
    const times = sends.map((s) => s.receivedAt);
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    return {
      sends: new Set(sends.map((s) => s.body)).size,
      expected,
      duplicates: sends.length - new Set(sends.map((s) => s.body)).size,
      outOfOrder: countOutOfOrder(sends.map((s) => s.body ?? '')),
      seconds,
      perSecond: sends.length / Math.max(seconds, 0.001),
      peakWindow: maxInAnyWindow(times),
      acceptLatencyP50Ms: [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)] ?? 0,
      dbOperationsPerMessage: operations / Math.max(expected, 1),
    };
  } finally {
    if (service) {
      await service.connection.dropDatabase().catch(() => undefined);
      await service.close();
    }
    await emulator.close();
    await database.stop();
  }
}

async function connectIntegration(emulator: TwilioEmulator, apiUrl: string, headers: Record<string, string>, rate: number): Promise<string> {
  const account = emulator.state.createAccount('zapdesk outbound bench', null);
  emulator.state.ownNumber(account.sid, SENDER);
  const created = await fetch(`${apiUrl}/integrations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: SENDER }),
  });
  const body = (await created.json()) as { id: string; status: string };
  if (created.status !== 201 || body.status !== 'active') throw new Error(`bench integration: ${created.status} ${body.status}`);
  const patched = await fetch(`${apiUrl}/integrations/${body.id}`, { method: 'PATCH', headers, body: JSON.stringify({ sendRatePerSecond: rate }) });
  if (patched.status !== 200) throw new Error(`setting the bench rate answered ${patched.status}`);
  return body.id;
}

/** Tickets whose customers wrote just now (inside the 24-hour window), stored directly. */
async function openTickets(service: RunningService, integrationId: string, count: number): Promise<string[]> {
  const tickets = service.container.get<TicketRepository>(TOKENS.TicketRepository);
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const now = new Date();
    const ticket = Ticket.open({ id: randomBytes(12).toString('hex'), companyId: COMPANY, integrationId, contactNumber: `+55119${String(i).padStart(8, '0')}`, now });
    ticket.recordInbound({ messageId: `bench-inbound-${i}`, preview: 'Olá', at: now });
    await tickets.save(ticket);
    ids.push(ticket.id);
  }
  return ids;
}

/** Bodies are `t<ticket> #<n>`: count messages that arrived before an earlier one of their ticket. */
function countOutOfOrder(bodies: readonly string[]): number {
  const last = new Map<string, number>();
  let wrong = 0;
  for (const body of bodies) {
    const [ticket, n] = body.split(' #');
    const seq = Number(n);
    if ((last.get(ticket!) ?? -1) > seq) wrong += 1;
    last.set(ticket!, Math.max(last.get(ticket!) ?? -1, seq));
  }
  return wrong;
}

export function maxInAnyWindow(times: readonly number[]): number {
  const sorted = [...times].sort((x, y) => x - y);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= 1000) start += 1;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
