#!/usr/bin/env node
// Builds the agent console (console/) into dist/console/: one bundled, minified app.js (esbuild,
// Preact), app.css and index.html. Everything it needs comes from node_modules: nothing is
// fetched at run time. `npm start` runs it through build-if-needed.js; tests call buildConsole().
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'console');
const outdir = path.join(root, 'dist', 'console');

async function buildConsole(options = {}) {
  const esbuild = require('esbuild');
  const out = options.outdir ?? outdir;
  fs.mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(source, 'src', 'main.tsx')],
    outfile: path.join(out, 'app.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(source, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: options.quiet ? 'silent' : 'warning',
  });
  fs.copyFileSync(path.join(source, 'styles.css'), path.join(out, 'app.css'));
  fs.copyFileSync(path.join(source, 'index.html'), path.join(out, 'index.html'));
  fs.writeFileSync(path.join(out, '.build-stamp'), new Date().toISOString());
  return out;
}

module.exports = { buildConsole, consoleSourceDir: source, consoleOutDir: outdir };

if (require.main === module) {
  buildConsole().catch((error) => {
    process.stderr.write(`console build failed: ${error && error.message ? error.message : error}\n`);
    process.exit(1);
  });
}
