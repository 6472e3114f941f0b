import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SendMetrics, SendOutcome } from '../../application/ports/send-metrics.port';

/** What the gauges read at scrape time (each a small count or one indexed read). */
export interface MetricsSources {
  /** Accepted inbound messages not filed yet, and when the oldest of them was accepted. */
  inbox(): Promise<{ depth: number; oldestAcceptedAt: Date | null }>;
  deliveryQueueDepth(): Promise<number>;
  integrationsByStatus(): Promise<Record<string, number>>;
  sseSubscribers(): number;
  /** Entries of the event log this instance's tailer has not emitted yet (null before it started). */
  eventLogTailLag(): Promise<number | null>;
}

export type WebhookRoute = 'inbound' | 'status';

const INTEGRATION_STATUSES = ['pending', 'active', 'inactive', 'error'] as const;
/** How long one gauge may wait for the database during a scrape. */
const SOURCE_TIMEOUT_MS = 2000;

/**
 * The Prometheus metrics of one service instance, in a registry of its own (tests run several
 * instances in one process; prom-client's global registry would mix them). Counters move with
 * traffic; gauges that need the database are read when scraped.
 */
export class ServiceMetrics implements SendMetrics {
  readonly registry = new Registry();
  private sources: MetricsSources | null = null;
  private readonly webhooks: Counter<'route' | 'outcome'>;
  private readonly webhookSeconds: Histogram<'route' | 'outcome'>;
  private readonly sends: Counter<'outcome' | 'attempt'>;

  constructor(private readonly now: () => number = Date.now) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.webhooks = new Counter({ name: 'zapdesk_webhooks_total', help: "Twilio's webhooks, by route (inbound, status) and outcome", labelNames: ['route', 'outcome'], registers });
    this.webhookSeconds = new Histogram({
      name: 'zapdesk_webhook_duration_seconds',
      help: "Time to answer Twilio's webhooks (an inbound one answers once the message is durably stored)",
      labelNames: ['route', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.sends = new Counter({ name: 'zapdesk_outbound_sends_total', help: 'Twilio send calls of replies, by outcome (accepted, retry, failed, unconfirmed) and attempt number', labelNames: ['outcome', 'attempt'], registers });
    const sources = () => this.sources;
    const read = async (gauge: Gauge, write: (s: MetricsSources) => Promise<void>) => {
      const s = sources();
      gauge.reset();
      if (!s) return;
      try {
        // A database that does not answer must not hold the scrape past Prometheus' timeout.
        await withTimeout(write(s), SOURCE_TIMEOUT_MS);
      } catch {
        // The database does not answer: the gauge is left out of this scrape (readiness tells why).
      }
    };
    new Gauge({
      name: 'zapdesk_inbound_inbox_depth',
      help: 'Inbound messages acknowledged to Twilio and not filed on their tickets yet (all instances)',
      registers,
      async collect() {
        await read(this, async (s) => this.set((await s.inbox()).depth));
      },
    });
    const clockNow = this.now;
    new Gauge({
      name: 'zapdesk_inbound_filing_lag_seconds',
      help: 'Age of the oldest inbound message not filed yet (0 when none waits)',
      registers,
      async collect() {
        await read(this, async (s) => {
          const { oldestAcceptedAt } = await s.inbox();
          this.set(oldestAcceptedAt ? Math.max(0, clockNow() - oldestAcceptedAt.getTime()) / 1000 : 0);
        });
      },
    });
    new Gauge({
      name: 'zapdesk_delivery_queue_depth',
      help: 'Replies whose delivery is not over (queued, sending, waiting for a retry), all instances',
      registers,
      async collect() {
        await read(this, async (s) => this.set(await s.deliveryQueueDepth()));
      },
    });
    new Gauge({
      name: 'zapdesk_integrations',
      help: 'WhatsApp integrations by status',
      labelNames: ['status'],
      registers,
      async collect() {
        await read(this, async (s) => {
          const counts = await s.integrationsByStatus();
          for (const status of new Set([...INTEGRATION_STATUSES, ...Object.keys(counts)])) this.set({ status }, counts[status] ?? 0);
        });
      },
    });
    new Gauge({
      name: 'zapdesk_sse_subscribers',
      help: 'Open GET /events streams on this instance',
      registers,
      collect() {
        this.set(sources()?.sseSubscribers() ?? 0);
      },
    });
    new Gauge({
      name: 'zapdesk_event_log_tail_lag',
      help: "Event-log entries stored but not yet emitted by this instance's tailer (newest sequence number minus its position)",
      registers,
      async collect() {
        await read(this, async (s) => {
          const lag = await s.eventLogTailLag();
          if (lag !== null) this.set(lag);
        });
      },
    });
  }

  /** Connects the gauges to what they read (once the service's parts exist). */
  observe(sources: MetricsSources): void {
    this.sources = sources;
  }

  webhookAnswered(route: WebhookRoute, statusCode: number, seconds: number): void {
    const outcome = webhookOutcome(statusCode);
    this.webhooks.inc({ route, outcome });
    this.webhookSeconds.observe({ route, outcome }, seconds);
  }

  sendFinished(outcome: SendOutcome, attempt: number): void {
    this.sends.inc({ outcome, attempt: String(attempt) });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A few outcomes, not every status code: what an operator alerts on. */
export function webhookOutcome(statusCode: number): string {
  if (statusCode >= 200 && statusCode < 300) return 'accepted';
  if (statusCode === 400 || statusCode === 413 || statusCode === 415) return 'invalid';
  if (statusCode === 401 || statusCode === 403) return 'bad_signature';
  if (statusCode === 404) return 'unknown_number';
  if (statusCode === 503) return 'unavailable';
  if (statusCode >= 500) return 'error';
  return 'refused';
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
