import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDatabaseServer, type RunningDatabase } from '../infrastructure/persistence/database/database-server';

export type BenchBackend = 'memory' | 'h2';

/** `--backend=memory|h2` (or BENCH_BACKEND): memory by default, H2 as `npm start` uses it. */
export function benchBackend(args: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchBackend {
  const raw = [...args].reverse().find((arg) => arg.startsWith('--backend='))?.slice('--backend='.length) ?? env.BENCH_BACKEND ?? 'memory';
  if (raw !== 'memory' && raw !== 'h2') throw new Error(`--backend must be memory or h2, got ${JSON.stringify(raw)}`);
  return raw;
}

/**
 * The database server of a benchmark run: MONGODB_URI when set, else the embedded one on the
 * chosen backend; H2 writes to a temporary data folder removed at stop.
 */
export async function startBenchDatabase(log: (line: string) => void, backend: BenchBackend): Promise<RunningDatabase> {
  if (backend === 'memory') return startDatabaseServer({ log });
  const folder = mkdtempSync(join(tmpdir(), 'zapdesk-bench-h2-'));
  const database = await startDatabaseServer({ log, persistentDataDir: folder });
  return {
    ...database,
    stop: async () => {
      await database.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
