#!/usr/bin/env node
// The README's test command: provisions Consul, builds, lints, type-checks, runs every jest project,
// and ends with one line "N passed, N failed" taken from jest's JSON result.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const chaos = args.includes('--chaos');
const jestArgs = args.filter((a) => a !== '--chaos');
const report = path.join(root, 'reports', 'jest.json');

function run(title, command, commandArgs, env = {}) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status === 0;
}

function summary(failedSteps) {
  let passed = 0;
  let failed = 0;
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed = json.numPassedTests;
    failed = json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0);
  }
  failed += failedSteps.length;
  if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join(', ')}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const failedSteps = [];
rmSync(report, { force: true });
mkdirSync(path.dirname(report), { recursive: true });

if (!run('build (tsc -b)', npx, ['tsc', '-b', 'tsconfig.json'])) {
  failedSteps.push('build');
  process.exit(summary(failedSteps));
}
if (!run('provision consul', process.execPath, ['packages/testing/dist/cli.js', 'install'])) {
  failedSteps.push('provision consul');
  process.exit(summary(failedSteps));
}
if (!chaos) {
  if (!run('lint (eslint)', npx, ['eslint', '.'])) failedSteps.push('eslint');
  if (!run('format (prettier --check)', npx, ['prettier', '--check', '.']))
    failedSteps.push('prettier');
  if (!run('type-check tests', npx, ['tsc', '-p', 'tsconfig.test.json', '--noEmit']))
    failedSteps.push('typecheck');
}
const selection = chaos ? ['--selectProjects', 'chaos'] : [];
run('jest', npx, ['jest', '--json', `--outputFile=${report}`, ...selection, ...jestArgs], {
  CI: process.env.CI ?? 'true',
  // The chaos project runs small, bounded counts inside `npm test`; `test:chaos` runs the full ones.
  ...(chaos ? { CHAOS_FULL: process.env.CHAOS_FULL ?? '1' } : {}),
});
process.exit(summary(failedSteps));
