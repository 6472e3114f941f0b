import type { Benchmark, BenchmarkResult } from '../../../src/bench/benchmark';
import { runBenchmarks } from '../../../src/bench/run-benchmarks';

function fake(name: string, result: BenchmarkResult | Error) {
  const calls: Array<readonly string[]> = [];
  const benchmark: Benchmark = {
    name,
    description: `the ${name} benchmark`,
    run: async ({ log, args }) => {
      calls.push(args);
      log(`${name} is running`);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return { benchmark, calls };
}

function capture() {
  const out: string[] = [];
  const progress: string[] = [];
  return { out, progress, output: { out: (line: string) => out.push(line), progress: (line: string) => progress.push(line) } };
}

describe('runBenchmarks', () => {
  it('runs every benchmark when none is named, prints their lines, exits 0 when all are correct', async () => {
    const a = fake('alpha', { lines: ['alpha: 10 req/s'], correct: true });
    const b = fake('beta', { lines: ['beta: 20 req/s'], correct: true });
    const io = capture();
    expect(await runBenchmarks([a.benchmark, b.benchmark], [], io.output)).toBe(0);
    expect(io.out).toContain('alpha: 10 req/s');
    expect(io.out).toContain('beta: 20 req/s');
    expect(io.progress).toEqual(['alpha is running', 'beta is running']);
  });

  it('runs only the named ones and passes the --options to them', async () => {
    const a = fake('alpha', { lines: [], correct: true });
    const b = fake('beta', { lines: [], correct: true });
    const io = capture();
    expect(await runBenchmarks([a.benchmark, b.benchmark], ['beta', '--count=10'], io.output)).toBe(0);
    expect(a.calls).toHaveLength(0);
    expect(b.calls).toEqual([['--count=10']]);
  });

  it('leaves a benchmark that runs only when named out of a bare run, and runs it when named', async () => {
    const a = fake('alpha', { lines: [], correct: true });
    const slow = fake('slow', { lines: [], correct: true });
    const onlyWhenNamed: Benchmark = { ...slow.benchmark, onlyWhenNamed: true };
    expect(await runBenchmarks([a.benchmark, onlyWhenNamed], [], capture().output)).toBe(0);
    expect([a.calls.length, slow.calls.length]).toEqual([1, 0]);
    expect(await runBenchmarks([a.benchmark, onlyWhenNamed], ['slow'], capture().output)).toBe(0);
    expect([a.calls.length, slow.calls.length]).toEqual([1, 1]);
  });

  it('exits 1 when a benchmark is not correct, after running the others', async () => {
    const a = fake('alpha', { lines: ['lost 3 messages'], correct: false });
    const b = fake('beta', { lines: [], correct: true });
    const io = capture();
    expect(await runBenchmarks([a.benchmark, b.benchmark], [], io.output)).toBe(1);
    expect(b.calls).toHaveLength(1);
    expect(io.out.join('\n')).toMatch(/not correct: alpha/);
  });

  it('exits 1 when a benchmark throws, printing why', async () => {
    const a = fake('alpha', new Error('database did not start'));
    const io = capture();
    expect(await runBenchmarks([a.benchmark], [], io.output)).toBe(1);
    expect(io.out.join('\n')).toMatch(/alpha: FAILED to run: database did not start/);
  });

  it('exits 2 for an unknown name, listing the known ones, and runs nothing', async () => {
    const a = fake('alpha', { lines: [], correct: true });
    const io = capture();
    expect(await runBenchmarks([a.benchmark], ['alpah'], io.output)).toBe(2);
    expect(a.calls).toHaveLength(0);
    expect(io.out.join('\n')).toMatch(/unknown benchmark alpah[\s\S]*alpha/);
  });
});
