import type { Benchmark } from './benchmark';
import { backupBenchmark } from './backup.bench';
import { coldStartBenchmark } from './cold-start.bench';
import { filingLagBenchmark } from './filing-lag.bench';
import { growthBenchmark } from './growth.bench';
import { ingestionBenchmark } from './ingestion.bench';
import { outboundBenchmark } from './outbound.bench';
import { sseFanoutBenchmark } from './sse-fanout.bench';
import { uploadBenchmark } from './upload.bench';

/** Every benchmark `npm run bench` knows, run in this order when none is named. */
export const BENCHMARKS: readonly Benchmark[] = [ingestionBenchmark, filingLagBenchmark, growthBenchmark, outboundBenchmark, sseFanoutBenchmark, coldStartBenchmark, backupBenchmark, uploadBenchmark];
