import type { Benchmark } from './benchmark';

export interface BenchOutput {
  /** Figures and verdicts (stdout). */
  readonly out: (line: string) => void;
  /** Progress of the benchmarks themselves (stderr), kept apart so stdout is just the report. */
  readonly progress: (line: string) => void;
}

/**
 * `zapdesk bench [name...] [--option=value...]`: runs the named benchmarks (when none is named,
 * all but those that run only when named), prints each one's lines and answers the process exit code: 0 when every run was
 * correct, 1 when any was not (or threw), 2 for an unknown benchmark name.
 * Options are passed to every benchmark; each reads the ones it knows.
 */
export async function runBenchmarks(all: readonly Benchmark[], args: readonly string[], output: BenchOutput): Promise<number> {
  const names = args.filter((arg) => !arg.startsWith('--'));
  const options = args.filter((arg) => arg.startsWith('--'));
  const unknown = names.filter((name) => !all.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) {
    output.out(`unknown benchmark ${unknown.join(', ')}; known:`);
    for (const benchmark of all) output.out(`  ${benchmark.name.padEnd(12)} ${benchmark.description}${benchmark.onlyWhenNamed ? ' (only when named)' : ''}`);
    return 2;
  }
  const selected = names.length === 0 ? all.filter((benchmark) => !benchmark.onlyWhenNamed) : all.filter((benchmark) => names.includes(benchmark.name));
  const failed: string[] = [];
  for (const benchmark of selected) {
    output.out(`== ${benchmark.name}: ${benchmark.description}`);
    const startedAt = Date.now();
    try {
      const result = await benchmark.run({ log: output.progress, args: options });
      for (const line of result.lines) output.out(line);
      if (!result.correct) failed.push(benchmark.name);
      output.out(`== ${benchmark.name}: ${result.correct ? 'correct' : 'NOT CORRECT'} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed.push(benchmark.name);
      output.out(`== ${benchmark.name}: FAILED to run: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failed.length > 0) output.out(`bench: not correct: ${failed.join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}
