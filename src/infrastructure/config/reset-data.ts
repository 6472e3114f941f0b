import { existsSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { dataDirectory } from './data-directory';

/**
 * `npm run reset [-- --yes]`: deletes the embedded default's data folder (database files,
 * development secrets) after asking, or at once with --yes. Stop the service first.
 */
export async function resetData(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const folder = dataDirectory(env);
  if (!existsSync(folder)) {
    process.stdout.write(`nothing to reset: ${folder} does not exist\n`);
    return 0;
  }
  if (!args.includes('--yes')) {
    if (!process.stdin.isTTY) {
      process.stderr.write(`refusing to delete ${folder} without a terminal to ask: run with --yes\n`);
      return 2;
    }
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(`Delete all Zapdesk data in ${folder} (integrations, tickets, messages, dev secrets)? [y/N] `);
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stdout.write('kept everything\n');
      return 1;
    }
  }
  rmSync(folder, { recursive: true, force: true });
  process.stdout.write(`deleted ${folder}\n`);
  return 0;
}
