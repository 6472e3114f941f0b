import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TOKENS } from '../application/ports/tokens';
import { Ticket } from '../domain/ticket/ticket';
import { TicketRepository } from '../domain/ticket/ticket.repository';
import type { RunningService } from '../infrastructure/bootstrap/start-service';
import { DEFAULT_SEND_RATE_PER_SECOND } from '../domain/integration/twilio-integration';
import { benchBackend, startBenchDatabase, type BenchBackend } from './bench-database';
import { startTwilioEmulator, type TwilioEmulator } from '../emulator/twilio-emulator';
import type { Benchmark, BenchmarkResult } from './benchmark';
import { DatabaseOperationProfiler } from './database-operation-profiler';
import { startBenchService } from './bench-service';

export const COMPANY = 'bench-company';
const SENDERS = ['+14155550199', '+14155550198', '+14155550197', '+14155550196'];

interface Scenario {
  readonly name: string;
  /** Sender numbers (integrations), each with its own tickets. */
  readonly numbers: number;
  readonly ticketsPerNumber: number;
  readonly perTicket: number;
  /** Each integration's sendRatePerSecond; 1000 (the maximum) is no effective limit here. */
  readonly rate: number;
  /** Messages per second the scenario should reach (all numbers together). */
  readonly target: number;
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
 * Twilio emulator. Two scenarios: one number at its default limit (80/s: it should send at the
 * limit, and never over it in any sliding second of the emulator's arrival times), and four
 * numbers with no effective limit (throughput). Correct means every message sent exactly once,
 * each ticket's messages in order, and never over the rate.
 */
export const outboundBenchmark: Benchmark = {
  name: 'outbound',
  description: 'outbound delivery: one number at its default 80/s limit, and four numbers without an effective limit',
  async run({ log, args }): Promise<BenchmarkResult> {
    const scale = args.includes('--quick') ? 0.4 : 1;
    const backend = benchBackend(args);
    const scenarios: Scenario[] = [
      { name: `one number at its default limit (${DEFAULT_SEND_RATE_PER_SECOND}/s)`, numbers: 1, ticketsPerNumber: 40, perTicket: Math.round(25 * scale), rate: DEFAULT_SEND_RATE_PER_SECOND, target: DEFAULT_SEND_RATE_PER_SECOND },
      { name: 'four numbers (no effective limit)', numbers: 4, ticketsPerNumber: 25, perTicket: Math.round(20 * scale), rate: 1000, target: 200 },
    ];
    const lines: string[] = [];
    let correct = true;
    for (const scenario of scenarios) {
      const figures = await runScenario(scenario, backend, log);
      const ok = figures.sends === figures.expected && figures.duplicates === 0 && figures.outOfOrder === 0 && figures.peakWindow <= scenario.rate * scenario.numbers;
      correct &&= ok;
      lines.push(
        `outbound ${scenario.name}: ${figures.sends}/${figures.expected} messages sent in ${figures.seconds.toFixed(2)} s = ${figures.perSecond.toFixed(1)} msg/s ` +
          `(target >= ${scenario.target}: ${figures.perSecond >= scenario.target ? 'met' : 'MISSED'}); ` +
          `peak ${figures.peakWindow} in any 1 s window (limit ${scenario.rate}${scenario.numbers > 1 ? ' per number' : ''}); duplicates ${figures.duplicates}; out of order ${figures.outOfOrder}; ` +
          `202 latency p50 ${figures.acceptLatencyP50Ms.toFixed(1)} ms; ${figures.dbOperationsPerMessage.toFixed(1)} database operations per message${ok ? '' : ' — INCORRECT'}`,
      );
    }
    return { lines, correct };
  },
};

async function runScenario(scenario: Scenario, backend: BenchBackend, log: (line: string) => void): Promise<Figures> {
  const database = await startBenchDatabase(log, backend);
  const emulator = await startTwilioEmulator({ senderOnlineDelayMs: 0 });
  let service: RunningService | null = null;
  try {
    const started = await startBenchService({ database, emulator, dbName: `bench_outbound_${randomBytes(4).toString('hex')}` });
    service = started.service;
    const { apiUrl, jwtSecret } = started;
    const auth = { Authorization: `Bearer ${jwt.sign({ sub: 'bench-agent', companyId: COMPANY, role: 'admin' }, jwtSecret, { algorithm: 'HS256' })}`, 'Content-Type': 'application/json' };
    const senders = SENDERS.slice(0, scenario.numbers);
    const ticketIds: string[] = [];
    for (const [n, sender] of senders.entries()) {
      const integrationId = await connectIntegration(emulator, apiUrl, auth, scenario.rate, sender);
      ticketIds.push(...(await openTickets(service, integrationId, scenario.ticketsPerNumber, n)));
    }
    log(`[bench] outbound ${scenario.name}: ${database.kind} (${database.storage ?? 'external'}) database, ${senders.length} number(s) x ${scenario.ticketsPerNumber} tickets x ${scenario.perTicket} replies at ${scenario.rate}/s each`);

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
    const fromOurs = new Set(senders.map((sender) => `whatsapp:${sender}`));
    const ours = () => emulator.state.sentMessages.filter((m) => fromOurs.has(m.from ?? ''));
    while (ours().length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 1000)); // late duplicates would show up now
    const profile = profiler.stop();
    const operations = profile.reduce((sum, op) => sum + op.calls, 0);
    for (const op of [...profile].sort((x, y) => y.totalMs - x.totalMs).slice(0, 12)) {
      log(`[bench]   ${op.operation}: ${op.calls} calls, ${(op.totalMs / Math.max(op.calls, 1)).toFixed(1)} ms each`);
    }

    const sends = ours();
    const times = sends.map((s) => s.receivedAt);
    // The limit is per number: the peak is the busiest number's.
    const peakWindow = Math.max(...senders.map((sender) => maxInAnyWindow(sends.filter((s) => s.from === `whatsapp:${sender}`).map((s) => s.receivedAt))));
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    return {
      sends: new Set(sends.map((s) => s.body)).size,
      expected,
      duplicates: sends.length - new Set(sends.map((s) => s.body)).size,
      outOfOrder: countOutOfOrder(sends.map((s) => s.body ?? '')),
      seconds,
      perSecond: sends.length / Math.max(seconds, 0.001),
      peakWindow,
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

export async function connectIntegration(emulator: TwilioEmulator, apiUrl: string, headers: Record<string, string>, rate: number, sender: string): Promise<string> {
  const account = emulator.state.createAccount('zapdesk outbound bench', null);
  emulator.state.ownNumber(account.sid, sender);
  const created = await fetch(`${apiUrl}/integrations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ mode: 'existing', accountSid: account.sid, authToken: account.authToken, whatsappNumber: sender }),
  });
  const body = (await created.json()) as { id: string; status: string };
  if (created.status !== 201 || body.status !== 'active') throw new Error(`bench integration: ${created.status} ${body.status}`);
  const patched = await fetch(`${apiUrl}/integrations/${body.id}`, { method: 'PATCH', headers, body: JSON.stringify({ sendRatePerSecond: rate }) });
  if (patched.status !== 200) throw new Error(`setting the bench rate answered ${patched.status}`);
  return body.id;
}

/** Tickets whose customers wrote just now (inside the 24-hour window), stored directly. */
export async function openTickets(service: RunningService, integrationId: string, count: number, numberIndex: number): Promise<string[]> {
  const tickets = service.container.get<TicketRepository>(TOKENS.TicketRepository);
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const now = new Date();
    const ticket = Ticket.open({ id: randomBytes(12).toString('hex'), companyId: COMPANY, integrationId, contactNumber: `+5511${numberIndex}${String(i).padStart(8, '0')}`, now });
    ticket.recordInbound({ messageId: `bench-inbound-${numberIndex}-${i}`, preview: 'Olá', at: now });
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
