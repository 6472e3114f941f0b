import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The folder where the embedded default keeps what must outlive a run: the embedded database's
 * files, and development secrets. `ZAPDESK_DATA_DIR` when set; otherwise `.zapdesk/` in the
 * project (git-ignored), found from this file upwards so that it is the same folder whichever
 * directory a command runs from.
 */
export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.ZAPDESK_DATA_DIR?.trim();
  if (configured) return resolve(configured);
  return join(projectRoot(), '.zapdesk');
}

/** The folder holding package.json, from this file upwards (src/… under ts-jest, dist/… when built). */
export function projectRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}
