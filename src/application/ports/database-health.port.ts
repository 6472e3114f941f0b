export interface DatabaseHealthReport {
  readonly up: boolean;
  readonly latencyMs: number | null;
  readonly error?: string;
}

export interface DatabaseHealth {
  check(): Promise<DatabaseHealthReport>;
}
