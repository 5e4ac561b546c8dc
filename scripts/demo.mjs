#!/usr/bin/env node
// The README's main job. Builds the workspace, then runs the demo in examples/demo (which provisions
// a local Consul dev agent through @consulkit/testing). Extra arguments are passed on (--keep, --ci).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const build = spawnSync(npx, ['tsc', '-b', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const demo = path.join(root, 'examples', 'demo', 'dist', 'main.js');
const entry = existsSync(demo) ? demo : path.join(root, 'scripts', 'demo-agent.mjs');
const run = spawnSync(process.execPath, [entry, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
