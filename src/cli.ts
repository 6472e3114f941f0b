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
      const [{ runTokenCommand }, { dataDirectory }, { developmentSecret }] = await Promise.all([
        import('./interfaces/cli/token.command'),
        import('./infrastructure/config/data-directory'),
        import('./infrastructure/config/development-secrets'),
      ]);
      // JWT_SECRET wins; else the data folder's development secret, the one `npm start` uses.
      const secret = () => process.env.JWT_SECRET || developmentSecret(dataDirectory(), 'jwtSecret').value;
      process.exit(runTokenCommand(args, { secret, out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) }));
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
