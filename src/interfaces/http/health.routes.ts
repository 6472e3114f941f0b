import { healthJson } from './health.schemas';
import { ApiRoute } from './openapi/api-route';

export const HEALTH_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/health',
    tag: 'service',
    operationId: 'health',
    summary: 'Liveness and readiness',
    description: '200 when the database answers, 503 (same body, `status: degraded`) when it does not. No token needed.',
    auth: 'public',
    responses: {
      200: { description: 'Healthy.', schema: healthJson },
      503: {
        description: 'The database does not answer.',
        schema: healthJson,
        example: { status: 'degraded', uptimeSeconds: 3600, database: { status: 'down', latencyMs: null, error: 'connection refused' } },
      },
    },
  },
];
