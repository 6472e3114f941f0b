#!/usr/bin/env node
// Rebuilds dist/ only when a source file is newer than the last build, so `npm start`
// is fast on the second run and always runs the current code; the same for the agent console.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

// Two processes may start at once (`npm start` beside `npm run token`, or parallel tests): one
// builds while the other waits, then finds the build current. The lock is a directory (mkdir is
// atomic) holding the builder's pid; a lock whose builder is gone (killed) is taken over.
const lock = path.join(root, '.build-lock');
function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
function builderGone() {
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    // No pid yet: just taken (or a build killed in that instant: the age check below).
    return Date.now() - fs.statSync(lock).mtimeMs > 60_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}
for (;;) {
  try {
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
    break;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    try {
      if (builderGone()) fs.rmSync(lock, { recursive: true, force: true });
    } catch {
      // Released meanwhile.
    }
    sleep(200);
  }
}
try {
  const sourcesChanged = Math.max(
    newestMtime(path.join(root, 'src')),
    fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs,
    fs.statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
    fs.statSync(path.join(root, 'package-lock.json')).mtimeMs,
  );
  const builtAt = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
  if (sourcesChanged > builtAt) {
    process.stderr.write('zapdesk: compiling TypeScript (tsc)...\n');
    fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'inherit',
    });
    fs.writeFileSync(stamp, new Date().toISOString());
  }

  // The agent console (console/ → dist/console/, esbuild): its own stamp, written by the build.
  const consoleStamp = path.join(root, 'dist', 'console', '.build-stamp');
  const consoleChanged = Math.max(
    newestMtime(path.join(root, 'console')),
    fs.statSync(path.join(root, 'scripts', 'build-console.js')).mtimeMs,
    fs.statSync(path.join(root, 'package-lock.json')).mtimeMs,
  );
  if (consoleChanged > (fs.existsSync(consoleStamp) ? fs.statSync(consoleStamp).mtimeMs : 0)) {
    process.stderr.write('zapdesk: building the agent console (esbuild)...\n');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-console.js')], { cwd: root, stdio: 'inherit' });
  }
} finally {
  fs.rmSync(lock, { recursive: true, force: true });
}
