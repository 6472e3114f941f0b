import 'reflect-metadata';
import { runStandaloneDatabase } from './infrastructure/persistence/database/run-standalone-database';

const COMMANDS: Record<string, { help: string; run: (args: string[]) => Promise<void> }> = {
  db: { help: 'start the embedded database alone and print MONGODB_URI=...', run: () => runStandaloneDatabase() },
  bench: {
    help: 'run the benchmarks and print their figures (see BENCHMARKS.md)',
    // The harness: later work registers ingestion and outbound benchmarks here.
    run: async () => {
      process.stdout.write('zapdesk bench: no benchmarks are registered yet\n');
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
