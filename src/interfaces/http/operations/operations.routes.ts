import { errorResponse, ApiRoute } from '../openapi/api-route';
import { metricsText, readinessJson } from './operations.schemas';

export const OPERATIONS_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/health/ready',
    tag: 'service',
    operationId: 'readiness',
    summary: 'Readiness',
    description:
      'Whether this instance should get traffic: 200 when the database answers a ping and the background workers run; 503 with the reasons when not (database down, workers not started, shutting down). `GET /health` is the liveness check. No token needed.',
    auth: 'public',
    responses: {
      200: { description: 'Ready.', schema: readinessJson },
      503: {
        description: 'Not ready; `reasons` says why.',
        schema: readinessJson,
        example: { status: 'not_ready', reasons: ['shutting down'], database: { status: 'up', latencyMs: 1 }, workers: 'stopping' },
      },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'service',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description:
      "This instance's metrics in Prometheus' text format: process metrics, webhooks by route and outcome (with a latency histogram), inbound inbox depth and filing lag, reply sends by outcome and attempt, delivery queue depth, integrations by status, SSE subscribers, event-log tail lag. Public unless `METRICS_TOKEN` is set; then it takes `Authorization: Bearer <METRICS_TOKEN>` (not a JWT).",
    auth: 'public',
    responses: {
      200: { description: 'The metrics.', contentType: 'text/plain; version=0.0.4', schema: metricsText },
      401: errorResponse('`METRICS_TOKEN` is set and the request does not carry it.', 'AUTH.UNAUTHENTICATED', 'the metrics token is required'),
    },
  },
];
