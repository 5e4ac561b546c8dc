#!/usr/bin/env node
// The jest step of `npm test`, on its own: runs jest once with a --json report, then prints the
// verdict of scripts/summary.cjs and exits with it. scripts/test.mjs calls it after its build and lint
// steps; alone it checks any jest config without building or provisioning Consul, which is how
// scripts/test runs it against fixture projects:
//   node scripts/run-jest.mjs [--report=FILE] [jest arguments, e.g. --config path -t pattern]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import summary from './summary.cjs';

const { decide, formatOutcome, nameFilterOf, readReport } = summary;

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const defaultReport = path.join(root, 'reports', 'jest.json');
const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');

/**
 * Runs jest with `args`, its --json report going to `report` (removed first, so a report left by
 * an earlier run is never read as this one's).
 * @param {{ args: string[], report?: string, env?: Record<string, string> }} options
 * @returns {import('./summary.cjs').JestExit}
 */
export function runJest({ args, report = defaultReport, env = {} }) {
  rmSync(report, { force: true });
  mkdirSync(path.dirname(report), { recursive: true });
  console.log('\n▶ jest');
  const result = spawnSync(
    process.execPath,
    [jestBin, '--json', `--outputFile=${report}`, ...args],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env },
    },
  );
  return { status: result.status, signal: result.signal, error: result.error };
}

/**
 * Prints why the run failed (if it did) and the summary line last, then exits with the verdict.
 * `jest` is undefined when an earlier step stopped the run before jest.
 * @param {{ failedSteps: string[], jest?: import('./summary.cjs').JestExit, report?: string, args?: string[] }} run
 * @returns {never}
 */
export function finish({ failedSteps, jest, report = defaultReport, args = [] }) {
  const outcome = decide({
    failedSteps,
    jest,
    report: jest === undefined ? undefined : readReport(report),
    nameFilter: nameFilterOf(args),
    root,
  });
  console.log('');
  for (const line of formatOutcome(outcome)) console.log(line);
  process.exit(outcome.exitCode);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const own = process.argv.slice(2).filter((a) => a.startsWith('--report='));
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--report='));
  const report =
    own.length > 0 ? path.resolve(own.at(-1).slice('--report='.length)) : defaultReport;
  finish({ failedSteps: [], jest: runJest({ args, report }), report, args });
}
