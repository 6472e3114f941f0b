import { dataDirectory } from '../../config/data-directory';
import { redactMongoUri, startDatabaseServer } from './database-server';

/**
 * `zapdesk db`: starts the database server the service would use by default, prints
 * `MONGODB_URI=<uri>` as the only line on stdout (progress goes to stderr), and keeps it running
 * until SIGINT/SIGTERM, then stops it.
 */
export async function runStandaloneDatabase(): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  // Listen before starting, so a Ctrl-C during a long first build still stops cleanly afterwards.
  let signalled: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  const onSignal = (signal: NodeJS.Signals): void => signalled(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const startedAt = Date.now();
    const database = await startDatabaseServer({ log, persistentDataDir: dataDirectory() });
    // An external URI is the user's own; never echo its credentials.
    const printable = database.kind === 'external' ? redactMongoUri(database.uri) : database.uri;
    process.stdout.write(`MONGODB_URI=${printable}\n`);
    log(`[db] ${database.kind} ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; stop with Ctrl-C`);
    const signal = await stopRequested;
    log(`[db] ${signal} received, stopping ${database.kind}`);
    await database.stop();
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
