import type { Benchmark } from './benchmark';
import { ingestionBenchmark } from './ingestion.bench';
import { outboundBenchmark } from './outbound.bench';

/** Every benchmark `npm run bench` knows, run in this order when none is named. */
export const BENCHMARKS: readonly Benchmark[] = [ingestionBenchmark, outboundBenchmark];
