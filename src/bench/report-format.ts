import type { LoadSummary } from './load-runner';

/** Fixed-width table rows for load summaries, so runs line up when compared by eye. */

export interface SummaryRow {
  readonly label: string;
  readonly summary: LoadSummary;
  /** CPU seconds of this Node process (client + server under test) and of the database server. */
  readonly ownCpuSeconds?: number;
  readonly databaseCpuSeconds?: number | undefined;
}

const COLUMNS = ['requests', 'errors', 'acked/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'node cpu-s', 'db cpu-s'];

export function summaryTable(rows: readonly SummaryRow[]): string[] {
  const labelWidth = Math.max(8, ...rows.map((row) => row.label.length));
  const header = `${''.padEnd(labelWidth)} ${COLUMNS.map((c) => c.padStart(10)).join(' ')}`;
  const lines = rows.map((row) => {
    const s = row.summary;
    const cells = [
      String(s.requests),
      String(s.errors),
      s.throughput.toFixed(1),
      ms(s.p50Ms),
      ms(s.p90Ms),
      ms(s.p99Ms),
      ms(s.maxMs),
      row.ownCpuSeconds === undefined ? '-' : row.ownCpuSeconds.toFixed(1),
      row.databaseCpuSeconds === undefined ? '-' : row.databaseCpuSeconds.toFixed(1),
    ];
    return `${row.label.padEnd(labelWidth)} ${cells.map((c) => c.padStart(10)).join(' ')}`;
  });
  return [header, ...lines];
}

export function failureLines(label: string, summary: LoadSummary): string[] {
  return [...summary.failures].map(([reason, count]) => `  ${label} failures: ${count} x ${reason}`);
}

function ms(value: number): string {
  return Number.isNaN(value) ? '-' : value.toFixed(1);
}
