import { readFileSync } from 'node:fs';

/**
 * CPU seconds used by processes, to tell where the time of a run goes (this Node process —
 * load client, baseline and service together — versus the database server). Linux /proc
 * only; elsewhere the database side reads as unknown.
 */

/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel config. */
const CLOCK_TICKS_PER_SECOND = 100;


/** User + system CPU seconds of a process so far, or undefined when unreadable. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): utime is 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Measures CPU seconds of this process and (when found) the database server over one span. */
export class CpuMeter {
  constructor(private readonly databasePid: number | undefined) {}

  start(): () => { readonly ownSeconds: number; readonly databaseSeconds: number | undefined } {
    const own = ownCpuSeconds();
    const database = this.databasePid === undefined ? undefined : processCpuSeconds(this.databasePid);
    return () => {
      const databaseNow = this.databasePid === undefined ? undefined : processCpuSeconds(this.databasePid);
      return {
        ownSeconds: ownCpuSeconds() - own,
        databaseSeconds: database === undefined || databaseNow === undefined ? undefined : databaseNow - database,
      };
    };
  }
}
