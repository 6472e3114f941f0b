import { readdirSync, readFileSync } from 'node:fs';

/**
 * Memory of processes for the benchmarks: this process (heap and RSS, after a full GC when
 * Node runs with --expose-gc, as `npm run bench` does) and others by pid (Linux /proc).
 */

export interface MemorySnapshot {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Buffers and other memory outside the V8 heap (sockets' buffers among them). */
  readonly externalBytes: number;
  /** Whether a full GC ran first (only with --expose-gc). */
  readonly afterGc: boolean;
}

export async function ownMemory(): Promise<MemorySnapshot> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    // Twice, with a turn of the event loop between: finalizers of the first pass free more.
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external + usage.arrayBuffers, afterGc: gc !== undefined };
}

/** Resident set size of a process (VmRSS), or undefined when unreadable (gone, or not Linux). */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Direct children of a process (Linux /proc), with their command lines. */
export function childProcesses(pid: number): Array<{ readonly pid: number; readonly command: string }> {
  const children: Array<{ pid: number; command: string }> = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    let listed = '';
    try {
      listed = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of listed.split(' ').filter(Boolean).map(Number)) {
      let command = '';
      try {
        command = readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        // gone meanwhile
      }
      children.push({ pid: child, command });
    }
  }
  return children;
}

/** The soft limit on open files of this process (Linux), or undefined when unknown. */
export function openFilesLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return undefined;
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
