/** What the operations routes need from the running service (provided by the bootstrap). */
export const SERVICE_OPERATIONS = Symbol('ServiceOperations');

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready';
  /** Why not ready, one short phrase each (empty when ready). */
  readonly reasons: readonly string[];
  readonly database: { readonly status: 'up' | 'down'; readonly latencyMs: number | null; readonly error?: string };
  readonly workers: 'running' | 'not_running' | 'stopping';
}

export interface ServiceOperations {
  /** When set, `GET /metrics` takes this bearer token. */
  readonly metricsToken: string | null;
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  readiness(): Promise<ReadinessReport>;
}
