#!/usr/bin/env node
// The README's test command: provisions Consul, builds, lints, type-checks, runs every jest project,
// and ends with one line "N passed, N failed, N skipped". The verdict (scripts/summary.cjs) fails the
// run when a step fails, jest exits non-zero, its report is missing or unreadable, no test ran, or a
// test was skipped or todo (tests a -t filter deselects excepted).
import { spawnSync } from 'node:child_process';
import { finish, root, runJest } from './run-jest.mjs';

const args = process.argv.slice(2);
const chaos = args.includes('--chaos');
const jestArgs = args.filter((a) => a !== '--chaos');

function run(title, command, commandArgs, env = {}) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status === 0;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const failedSteps = [];

if (!run('build (tsc -b)', npx, ['tsc', '-b', 'tsconfig.json'])) {
  failedSteps.push('build');
  finish({ failedSteps });
}
if (!run('provision consul', process.execPath, ['packages/testing/dist/cli.js', 'install'])) {
  failedSteps.push('provision consul');
  finish({ failedSteps });
}
if (!chaos) {
  if (!run('lint (eslint)', npx, ['eslint', '.'])) failedSteps.push('eslint');
  if (!run('format (prettier --check)', npx, ['prettier', '--check', '.']))
    failedSteps.push('prettier');
  if (!run('type-check tests', npx, ['tsc', '-p', 'tsconfig.test.json', '--noEmit']))
    failedSteps.push('typecheck');
}
const selection = chaos ? ['--selectProjects', 'chaos'] : [];
const allJestArgs = [...selection, ...jestArgs];
const jest = runJest({
  args: allJestArgs,
  env: {
    CI: process.env.CI ?? 'true',
    // The chaos project runs small, bounded counts inside `npm test`; `test:chaos` runs the full ones.
    ...(chaos ? { CHAOS_FULL: process.env.CHAOS_FULL ?? '1' } : {}),
  },
});
finish({ failedSteps, jest, args: allJestArgs });
