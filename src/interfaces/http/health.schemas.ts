import { z } from 'zod';

/** `GET /health`: liveness and readiness in one (200 when the database answers, else 503). */
export const healthJson = z
  .object({
    status: z.enum(['ok', 'degraded']),
    uptimeSeconds: z.number().int().min(0),
    database: z.object({
      status: z.enum(['up', 'down']),
      latencyMs: z.number().nullable(),
      error: z.string().optional(),
    }),
  })
  .meta({ id: 'Health', example: { status: 'ok', uptimeSeconds: 3600, database: { status: 'up', latencyMs: 2 } } });
