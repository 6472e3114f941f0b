/** Operations: METRICS_TOKEN, SHUTDOWN_GRACE_MS. */
export interface OperationsSettings {
  /** When set, `GET /metrics` takes `Authorization: Bearer <METRICS_TOKEN>`; else it is public. */
  readonly metricsToken: string | null;
  /** How long a stopping instance may finish webhooks, sends and filing before it lets go. */
  readonly shutdownGraceMs: number;
}

export function readOperationsSettings(env: NodeJS.ProcessEnv, fail: (message: string) => Error): OperationsSettings {
  const token = env.METRICS_TOKEN?.trim() ?? '';
  // A short token is guessable, and one with spaces cannot be sent as a bearer token.
  if (token !== '' && (token.length < 16 || /\s/.test(token))) throw fail('METRICS_TOKEN must be at least 16 characters, without spaces');
  const raw = env.SHUTDOWN_GRACE_MS;
  const grace = raw === undefined || raw === '' ? 25_000 : Number(raw);
  if (!Number.isInteger(grace) || grace < 0) throw fail('SHUTDOWN_GRACE_MS must be a whole number of milliseconds (0 or more)');
  return { metricsToken: token === '' ? null : token, shutdownGraceMs: grace };
}
