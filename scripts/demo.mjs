#!/usr/bin/env node
// The README's main job: builds the workspace (`tsc -b`), then runs the demo in examples/demo, which
// provisions a local Consul dev agent through @consulkit/testing. Arguments are passed on
// (`npm run demo -- --keep`, `-- --ci`).
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

console.log('Building the workspace (tsc -b)…');
const build = spawnSync(npx, ['tsc', '-b', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const demo = spawn(
  process.execPath,
  [path.join(root, 'examples', 'demo', 'dist', 'main.js'), ...process.argv.slice(2)],
  // Its own process group: a Ctrl-C in the terminal must not reach the Consul agent it starts
  // (the services could not deregister from a dead agent). The signal is passed on below instead.
  { cwd: root, stdio: 'inherit', detached: true },
);
// On Ctrl-C or SIGTERM the demo stops everything it started, then exits: pass the signal on and
// wait for it, instead of dying first and handing the terminal back too early.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => demo.kill(signal));
demo.on('exit', (code, signal) =>
  process.exit(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 1) : 1)),
);
