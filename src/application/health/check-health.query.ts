import { DatabaseHealth } from '../ports/database-health.port';

export class CheckHealthQuery {}

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly uptimeSeconds: number;
  readonly database: { readonly status: 'up' | 'down'; readonly latencyMs: number | null; readonly error?: string };
}

export class CheckHealthHandler {
  private readonly startedAt = Date.now();

  constructor(private readonly database: DatabaseHealth) {}

  async execute(_query: CheckHealthQuery): Promise<HealthReport> {
    const db = await this.database.check();
    return {
      status: db.up ? 'ok' : 'degraded',
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      database: { status: db.up ? 'up' : 'down', latencyMs: db.latencyMs, ...(db.error ? { error: db.error } : {}) },
    };
  }
}
