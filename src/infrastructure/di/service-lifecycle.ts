import type { DatabaseHealth } from '../../application/ports/database-health.port';
import type { ReadinessReport, ServiceOperations } from '../../interfaces/http/operations/service-operations';
import type { ServiceMetrics } from '../observability/service-metrics';

export type LifecyclePhase = 'starting' | 'running' | 'stopping';

/**
 * Where this instance is in its life, for readiness (`GET /health/ready`) and the shutdown:
 * starting until its workers run, running, then stopping from the first SIGTERM on.
 */
export class ServiceLifecycle implements ServiceOperations {
  private current: LifecyclePhase = 'starting';
  private workers = false;

  constructor(
    private readonly database: DatabaseHealth,
    private readonly serviceMetrics: ServiceMetrics,
    readonly metricsToken: string | null,
  ) {}

  get phase(): LifecyclePhase {
    return this.current;
  }

  get stopping(): boolean {
    return this.current === 'stopping';
  }

  /** Listening, and the background workers run (or were not asked for: tests). */
  running(workersStarted: boolean): void {
    if (this.current === 'stopping') return;
    this.current = 'running';
    this.workers = workersStarted;
  }

  beginStopping(): void {
    this.current = 'stopping';
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.serviceMetrics.contentType, body: await this.serviceMetrics.render() };
  }

  async readiness(): Promise<ReadinessReport> {
    const db = await this.database.check();
    const reasons: string[] = [];
    if (!db.up) reasons.push(`database unreachable: ${db.error ?? 'no answer'}`);
    const workers = this.current === 'stopping' ? 'stopping' : this.current === 'running' && this.workers ? 'running' : 'not_running';
    if (this.current === 'stopping') reasons.push('shutting down');
    else if (workers !== 'running') reasons.push('background workers are not running');
    return {
      status: reasons.length === 0 ? 'ready' : 'not_ready',
      reasons,
      database: { status: db.up ? 'up' : 'down', latencyMs: db.latencyMs, ...(db.error ? { error: db.error } : {}) },
      workers,
    };
  }
}
