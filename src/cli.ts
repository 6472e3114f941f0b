import 'reflect-metadata';
import { runStandaloneDatabase } from './infrastructure/persistence/database/run-standalone-database';

const COMMANDS: Record<string, { help: string; run: (args: string[]) => Promise<void> }> = {
  db: { help: 'start the embedded database alone and print MONGODB_URI=...', run: () => runStandaloneDatabase() },
  reset: {
    help: 'delete the embedded default\'s data folder (asks first; --yes to skip the question)',
    run: async (args) => {
      const { resetData } = await import('./infrastructure/config/reset-data');
      process.exit(await resetData(args));
    },
  },
  token: {
    help: 'print a development bearer token: --role admin|agent --company ID (see --help)',
    run: async (args) => {
      const [{ runTokenCommand }, { mintDevelopmentToken }, { dataDirectory }, { developmentSecret }] = await Promise.all([
        import('./interfaces/cli/token.command'),
        import('./infrastructure/auth/development-token'),
        import('./infrastructure/config/data-directory'),
        import('./infrastructure/config/development-secrets'),
      ]);
      // JWT_SECRET wins; else the data folder's development secret, the one `npm start` uses.
      const secret = () => process.env.JWT_SECRET || developmentSecret(dataDirectory(), 'jwtSecret').value;
      const mint = (request: Parameters<typeof mintDevelopmentToken>[1]) => mintDevelopmentToken(secret(), request);
      process.exit(runTokenCommand(args, { mint, out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) }));
    },
  },
  simulate: {
    help: 'a WhatsApp customer writes in: signed webhooks from the running service\'s Twilio emulator (see --help)',
    run: async (args) => {
      const [{ runSimulateCommand }, { dataDirectory }, { readRuntimeFile, isAlive }] = await Promise.all([
        import('./emulator/simulator/simulate-command'),
        import('./infrastructure/config/data-directory'),
        import('./infrastructure/config/runtime-file'),
      ]);
      const emulatorUrl = () => {
        const runtime = readRuntimeFile(dataDirectory());
        if (runtime === null || !isAlive(runtime.pid)) {
          return { error: 'No running Zapdesk with an embedded Twilio emulator was found in the data folder (runtime.json): start it with `npm start` (no TWILIO_* set), or pass --emulator-url.' };
        }
        if (runtime.emulatorUrl === null) return { error: 'The running Zapdesk uses a real Twilio account: there is no emulator to simulate customers with.' };
        return { url: runtime.emulatorUrl };
      };
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const err = (line: string) => process.stderr.write(`${line}\n`);
      process.exit(await runSimulateCommand(args, { emulatorUrl, out, err }));
    },
  },
  'rotate-key': {
    help: 're-encrypt every stored Twilio auth token under the active key of ENCRYPTION_KEYS (safe while the service runs)',
    run: async (args) => {
      const [{ runRotateKeyCommand }, { STANDARD_IO }] = await Promise.all([import('./infrastructure/operations/rotate-key.command'), import('./infrastructure/operations/operations-io')]);
      process.exit(await runRotateKeyCommand(args, STANDARD_IO));
    },
  },
  backup: {
    help: 'write a backup of the data: --out FILE (see --help)',
    run: async (args) => {
      const [{ runBackupCommand }, { STANDARD_IO }] = await Promise.all([import('./infrastructure/operations/backup/backup.command'), import('./infrastructure/operations/operations-io')]);
      process.exit(await runBackupCommand(args, STANDARD_IO));
    },
  },
  restore: {
    help: 'restore a backup into an empty database: --in FILE [--force] (see --help)',
    run: async (args) => {
      const [{ runRestoreCommand }, { STANDARD_IO }] = await Promise.all([import('./infrastructure/operations/backup/backup.command'), import('./infrastructure/operations/operations-io')]);
      process.exit(await runRestoreCommand(args, STANDARD_IO));
    },
  },
  bench: {
    help: 'run the benchmarks (all, or those named) and print their figures; see BENCHMARKS.md',
    run: async (args) => {
      // Loaded on demand: the other commands need none of the service.
      const [{ BENCHMARKS }, { runBenchmarks }] = await Promise.all([import('./bench/benchmarks'), import('./bench/run-benchmarks')]);
      const code = await runBenchmarks(BENCHMARKS, args, {
        out: (line) => process.stdout.write(`${line}\n`),
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      // Exit explicitly: a lingering pooled socket or timer must not keep a finished run alive.
      process.exit(code);
    },
  },
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`usage: zapdesk <command>\n${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(12)} ${c.help}`).join('\n')}\n`);
    process.exit(name ? 2 : 0);
  }
  await command.run(args);
}

main().catch((error: unknown) => {
  process.stderr.write(`zapdesk: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
