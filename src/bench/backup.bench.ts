import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import type { Benchmark, BenchmarkResult } from './benchmark';
import { integerOption } from './bench-options';
import { benchBackend, startBenchDatabase } from './bench-database';
import { seedHistory } from './seed-history';
import { openDatabaseConnection } from '../infrastructure/persistence/mongoose/connection';
import { withDatabaseName } from '../infrastructure/persistence/database/database-server';
import { writeBackup } from '../infrastructure/operations/backup/backup-writer';
import { restoreBackup } from '../infrastructure/operations/backup/backup-restore';

/** Growth of this process's resident memory over the run that we call bounded. */
const TARGET_MAX_RSS_GROWTH_MB = 100;
const MB = 1024 * 1024;

/** Samples this process's RSS (and heap) every few milliseconds while `work` runs. */
async function peakMemoryDuring<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; startRssMb: number; peakRssMb: number; peakHeapMb: number }> {
  global.gc?.();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const timer = setInterval(sample, 20);
  const startedAt = process.hrtime.bigint();
  try {
    const value = await work();
    sample();
    return { value, seconds: Number(process.hrtime.bigint() - startedAt) / 1e9, startRssMb: startRss / MB, peakRssMb: peakRss / MB, peakHeapMb: peakHeap / MB };
  } finally {
    clearInterval(timer);
  }
}

/**
 * `npm run bench -- backup`: seeds `--messages` (100,000) messages on `--tickets` (10,000)
 * tickets straight into the collections, backs them up to a file while sampling this process's
 * memory, then restores the file into a second, empty database. Correct when every document
 * came back; the memory figure shows whether the export streams (target: RSS grows < 100 MB).
 */
export const backupBenchmark: Benchmark = {
  name: 'backup',
  // Seeding 100,000 messages alone takes over a minute: `npm run bench -- backup`.
  onlyWhenNamed: true,
  description: 'backup and restore of a large history: throughput and peak memory (RSS) of the process',
  async run({ log, args }): Promise<BenchmarkResult> {
    const env = process.env;
    const messages = integerOption(args, env, { name: 'messages', defaultValue: 100_000, min: 1, max: 10_000_000 });
    const tickets = integerOption(args, env, { name: 'tickets', defaultValue: 10_000, min: 1, max: 1_000_000 });
    const backend = benchBackend(args, env);
    const database = await startBenchDatabase(log, backend);
    const folder = mkdtempSync(join(tmpdir(), 'zapdesk-bench-backup-'));
    const connections: Connection[] = [];
    try {
      const open = async (name: string) => {
        const connection = await openDatabaseConnection({ uri: withDatabaseName(database.uri, name) });
        connections.push(connection);
        await connection.dropDatabase();
        return connection;
      };
      const source = await open('bench_backup_source');
      await seedHistory(source, { companyId: 'bench-company', integrationId: 'bench-integration', tickets, messages }, log);
      const file = join(folder, 'backup.ndjson.gz');

      log(`[bench] backup: writing ${messages} messages and ${tickets} tickets`);
      const backup = await peakMemoryDuring(() => writeBackup({ connection: source, file, progress: (p) => log(`[bench] backup: ${p.collection} ${p.written}/${p.expected}`), progressEveryMs: 5000 }));
      const documents = Object.values(backup.value.counts).reduce((sum, n) => sum + n, 0);
      const bytes = statSync(file).size;

      const target = await open('bench_backup_target');
      log('[bench] backup: restoring into an empty database');
      const restore = await peakMemoryDuring(() => restoreBackup({ connection: target, file, progress: (p) => log(`[bench] restore: ${p.collection} ${p.restored}/${p.expected}`), progressEveryMs: 5000 }));
      const restoredMessages = await target.db!.collection('messages').countDocuments();
      const restoredTickets = await target.db!.collection('tickets').countDocuments();

      const backupGrowth = backup.peakRssMb - backup.startRssMb;
      const restoreGrowth = restore.peakRssMb - restore.startRssMb;
      const correct = backup.value.counts.messages === messages && backup.value.counts.tickets === tickets && restoredMessages === messages && restoredTickets === tickets;
      const verdict = (growth: number) => `target < ${TARGET_MAX_RSS_GROWTH_MB} MB: ${growth < TARGET_MAX_RSS_GROWTH_MB ? 'met' : 'MISSED'}`;
      return {
        correct,
        lines: [
          `backup: ${messages} messages on ${tickets} tickets, database ${database.kind} (${database.storage ?? 'external'})`,
          `backup: ${documents} documents in ${backup.seconds.toFixed(1)} s = ${(documents / backup.seconds).toFixed(0)} docs/s; file ${(bytes / MB).toFixed(1)} MB gzip'd`,
          `backup memory: RSS ${backup.startRssMb.toFixed(0)} MB at start, peak ${backup.peakRssMb.toFixed(0)} MB (+${backupGrowth.toFixed(0)} MB, ${verdict(backupGrowth)}); peak heap ${backup.peakHeapMb.toFixed(0)} MB`,
          `restore: ${documents} documents in ${restore.seconds.toFixed(1)} s = ${(documents / restore.seconds).toFixed(0)} docs/s (file checked whole first)`,
          `restore memory: RSS ${restore.startRssMb.toFixed(0)} MB at start, peak ${restore.peakRssMb.toFixed(0)} MB (+${restoreGrowth.toFixed(0)} MB, ${verdict(restoreGrowth)}); peak heap ${restore.peakHeapMb.toFixed(0)} MB`,
          `restored: ${restoredMessages} messages and ${restoredTickets} tickets (expected ${messages} and ${tickets})${correct ? '' : ' — NOT CORRECT'}`,
        ],
      };
    } finally {
      for (const connection of connections) {
        await connection.dropDatabase().catch(() => undefined);
        await connection.close().catch(() => undefined);
      }
      await database.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  },
};
