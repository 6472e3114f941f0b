import 'reflect-metadata';
import { startService } from './infrastructure/bootstrap/start-service';
import { bodyGarbage } from './interfaces/http/body-garbage-collector';
import { createLogger } from './infrastructure/logging/logger';

async function main(): Promise<void> {
  const log = createLogger();
  let service: Awaited<ReturnType<typeof startService>> | null = null;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void (service?.close() ?? Promise.resolve()).finally(() => {
      // The one last line: an orchestrator reading the logs knows the instance is gone.
      log.info({ signal }, 'stopped');
      process.exit(0);
    });
  };
  // Installed first: a Ctrl-C while the database starts (or builds) exits at once (the embedded
  // database is stopped by its exit hook); once started, everything is closed in order.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    service = await startService({ logger: log });
    if (!bodyGarbage.active) {
      log.info('node runs without --expose-gc: large uploads and downloads leave their Buffers to V8, and peak memory may rise tens of MB above need (npm start passes the flag)');
    }
  } catch (error) {
    log.fatal({ err: error }, `failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

void main();
