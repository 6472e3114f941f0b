/**
 * Lets a child process run the service's TypeScript sources as they are (no build):
 * `node -r ./scripts/register-ts.js src/main.ts`. Each .ts file is transpiled on
 * require by esbuild (fast; type-checking is `npm run typecheck`'s job). esbuild emits no
 * decorator metadata, which the service does not need: every Nest injection names its token.
 */
'use strict';
const fs = require('node:fs');
const esbuild = require('esbuild');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = esbuild.transformSync(fs.readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
  });
  module._compile(code, filename);
};
