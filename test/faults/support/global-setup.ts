import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import databaseGlobalSetup from '../../support/database/global-setup';

/**
 * The fault tests kill real service processes: those run the built service (dist/main.js),
 * rebuilt here when a source changed (as `npm start` does). Then the run's database, as for `npm test`.
 */
export default async function globalSetup(): Promise<void> {
  const root = resolve(__dirname, '../../..');
  execFileSync(process.execPath, [resolve(root, 'scripts/build-if-needed.js')], { cwd: root, stdio: 'inherit' });
  await databaseGlobalSetup();
}
