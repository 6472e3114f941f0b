import 'reflect-metadata';
import { startService } from './infrastructure/bootstrap/start-service';

async function main(): Promise<void> {
  const service = await startService();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`zapdesk: ${signal} received, shutting down\n`);
    service.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`zapdesk: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
