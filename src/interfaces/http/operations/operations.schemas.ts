import { z } from 'zod';

/** `GET /health/ready`: whether this instance should get traffic. */
export const readinessJson = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    reasons: z.array(z.string()),
    database: z.object({
      status: z.enum(['up', 'down']),
      latencyMs: z.number().nullable(),
      error: z.string().optional(),
    }),
    workers: z.enum(['running', 'not_running', 'stopping']),
  })
  .meta({ id: 'Readiness', example: { status: 'ready', reasons: [], database: { status: 'up', latencyMs: 2 }, workers: 'running' } });

/** Prometheus text exposition format. */
export const metricsText = z.string().meta({
  id: 'PrometheusMetrics',
  example: '# HELP zapdesk_webhooks_total Twilio\'s webhooks, by route (inbound, status) and outcome\n# TYPE zapdesk_webhooks_total counter\nzapdesk_webhooks_total{route="inbound",outcome="accepted"} 42\n',
});
