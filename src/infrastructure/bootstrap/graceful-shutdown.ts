import type { Server } from 'node:http';
import type pino from 'pino';
import type { BackgroundWorker } from '../di/core-module';

export interface DrainParts {
  readonly server: Server;
  /** Marks the instance as stopping (readiness answers 503 from now on). */
  readonly beginStopping: () => void;
  /** Ends the SSE streams with a retry hint: their clients reconnect, to another instance. */
  readonly closeStreams: () => void;
  /** Stopped together; each stop finishes the work under way and gives its leases back. */
  readonly workers: readonly BackgroundWorker[];
  /** Out of time: background work stops after its current step (what is left stays for other instances). */
  readonly giveUp: () => void;
  readonly graceMs: number;
  readonly log: pino.Logger;
}

export interface DrainSummary {
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** After the grace period, how long the cut-short work gets to hand its leases back. */
const RELEASE_WINDOW_MS = 2000;

/**
 * The first half of a graceful stop: no new connections; requests under way (webhooks, replies)
 * answered; SSE streams ended; background work (filing, sends, provisioning) finished or cut
 * short at the grace deadline. What remains (closing the app and the database) is the caller's.
 */
export async function drain(parts: DrainParts): Promise<DrainSummary> {
  const started = Date.now();
  const deadline = started + parts.graceMs;
  parts.beginStopping();

  // 1. Stop listening; idle keep-alive connections close now, busy ones once their answer is out.
  const serverClosed = new Promise<void>((resolve) => parts.server.close(() => resolve()));
  parts.closeStreams();
  parts.server.closeIdleConnections();
  const idleCloser = setInterval(() => parts.server.closeIdleConnections(), 50);
  let timedOut = !(await until(serverClosed, deadline));
  clearInterval(idleCloser);
  if (timedOut) {
    parts.log.warn({ graceMs: parts.graceMs }, 'shutdown: requests still open at the grace deadline were cut');
    parts.server.closeAllConnections();
  }

  // 2. Background work: finished if time allows, else cut after its current step.
  const workersStopped = Promise.all(parts.workers.map((worker) => worker.stop()));
  if (!(await until(workersStopped, deadline))) {
    timedOut = true;
    parts.giveUp();
    if (!(await until(workersStopped, Date.now() + RELEASE_WINDOW_MS))) {
      parts.log.warn('shutdown: background work still under way was cut; its leases expire by themselves');
    }
  }
  return { timedOut, durationMs: Date.now() - started };
}

/** True when `work` settled before `deadline`. */
async function until(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
