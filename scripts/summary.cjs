// @ts-check
'use strict';
// The verdict of `npm test`, apart from running anything: reads jest's --json report, decides
// whether the run passed, and formats the reasons and the last line "N passed, N failed, N skipped"
// (CI parses that line). CommonJS so that both the ESM scripts and the jest tests of this module
// (which run as CommonJS) can load it.
const { readFileSync } = require('node:fs');
const path = require('node:path');

/**
 * How the jest process ended, as `spawnSync` reports it.
 * @typedef {{ status: number | null, signal: string | null, error?: Error | undefined }} JestExit
 */

/**
 * One test of jest's --json report (the fields read here).
 * @typedef {{ fullName: string, status: string, wouldRun?: boolean }} AssertionResult
 */

/**
 * One test file of jest's --json report (the fields read here).
 * @typedef {{ name: string, assertionResults: AssertionResult[] }} TestFileResult
 */

/**
 * jest's --json report (the fields read here).
 * @typedef {{
 *   success: boolean,
 *   numPassedTests: number,
 *   numFailedTests: number,
 *   numPendingTests: number,
 *   numTodoTests: number,
 *   numRuntimeErrorTestSuites: number,
 *   testResults: TestFileResult[],
 * }} JestReport
 */

/**
 * The report as read from disk: there, absent, or not a report.
 * @typedef {{ kind: 'ok', file: string, report: JestReport }
 *   | { kind: 'missing', file: string }
 *   | { kind: 'unreadable', file: string, error: string }} ReportRead
 */

/**
 * The verdict: counts for the last line, the reasons a failed run failed, and the exit code.
 * `excluded` counts tests a name filter left out (they are neither run nor failures).
 * @typedef {{
 *   passed: number,
 *   failed: number,
 *   skipped: number,
 *   excluded: number,
 *   failedSteps: string[],
 *   reasons: string[],
 *   exitCode: 0 | 1,
 * }} Outcome
 */

const COUNTS = /** @type {const} */ ([
  'numPassedTests',
  'numFailedTests',
  'numPendingTests',
  'numTodoTests',
  'numRuntimeErrorTestSuites',
]);

/**
 * Reads jest's --json report. A missing file and a file that is not a jest report are told apart,
 * and neither is mistaken for a run with no tests.
 * @param {string} file
 * @returns {ReportRead}
 */
function readReport(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT')
      return { kind: 'missing', file };
    return { kind: 'unreadable', file, error: String(error) };
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'unreadable', file, error: `not JSON: ${String(error)}` };
  }
  const problem = shapeProblem(json);
  if (problem !== undefined) return { kind: 'unreadable', file, error: problem };
  return { kind: 'ok', file, report: json };
}

/**
 * @param {unknown} json
 * @returns {string | undefined} why `json` is not a jest --json report, or undefined if it is one
 */
function shapeProblem(json) {
  if (typeof json !== 'object' || json === null) return 'not a jest --json report (not an object)';
  const record = /** @type {Record<string, unknown>} */ (json);
  for (const key of COUNTS) {
    const value = record[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      return `not a jest --json report (${key} is ${JSON.stringify(value)})`;
    }
  }
  if (typeof record.success !== 'boolean') return 'not a jest --json report (no success flag)';
  if (!Array.isArray(record.testResults)) return 'not a jest --json report (no testResults)';
  for (const file of record.testResults) {
    if (typeof file?.name !== 'string' || !Array.isArray(file.assertionResults)) {
      return 'not a jest --json report (a test file without name or assertionResults)';
    }
  }
  return undefined;
}

/**
 * The test name filter (`-t`, `--testNamePattern`, `--test-name-pattern`, with or without `=`)
 * among jest's arguments, or undefined. Only this filter makes jest report deselected tests as
 * pending; path filters and --selectProjects leave them out of the report. A spelling not
 * recognised here makes every pending test count as skipped: the run fails rather than passes.
 * @param {readonly string[]} args
 * @returns {string | undefined}
 */
function nameFilterOf(args) {
  let filter;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const match = /^(?:-t|--testNamePattern|--test-name-pattern)(?:=(.*))?$/s.exec(arg);
    if (match === null) continue;
    if (match[1] !== undefined) filter = match[1];
    else if (i + 1 < args.length) {
      filter = args[i + 1];
      i += 1;
    }
  }
  return filter;
}

/**
 * Splits pending and todo tests into real skips and tests deselected by the name filter. jest marks
 * a test pending both when it is `.skip`ped and when the filter deselects it; it deselects a test
 * exactly when the filter (a case-insensitive regular expression) does not match its full name,
 * so a pending test whose name matches was skipped by the code. A todo test the filter deselects is
 * reported pending, so every `todo` is a real one.
 * @param {JestReport} report
 * @param {string | undefined} nameFilter
 * @param {string | undefined} root
 * @returns {{ skippedNames: string[], excluded: number }}
 */
function classifyNotRun(report, nameFilter, root) {
  /** @type {RegExp | undefined} */
  let pattern;
  if (nameFilter !== undefined) {
    try {
      pattern = new RegExp(nameFilter, 'i');
    } catch {
      pattern = undefined; // jest itself rejects such a pattern; count every pending test as skipped
    }
  }
  /** @type {string[]} */
  const skippedNames = [];
  let excluded = 0;
  for (const file of report.testResults) {
    const fileName = shown(file.name, root);
    for (const test of file.assertionResults) {
      if (test.status === 'todo') skippedNames.push(`${fileName} › ${test.fullName} (todo)`);
      else if (test.status === 'pending') {
        if (pattern !== undefined && !pattern.test(test.fullName)) excluded += 1;
        else skippedNames.push(`${fileName} › ${test.fullName}`);
      }
    }
  }
  return { skippedNames, excluded };
}

/**
 * Decides the run. It passes only when no step failed, jest ran and exited 0, its report is a jest
 * report, at least one test ran, none failed, and none was skipped or todo (tests a name filter
 * deselected excepted). Whenever the run fails for a reason the test counts do not show (jest's exit
 * status, a missing or unreadable report, no test run), the jest step counts as one failed step, so
 * the last line never reads "0 failed, 0 skipped" for a failed run.
 * @param {{
 *   failedSteps: readonly string[],
 *   jest?: JestExit | undefined,
 *   report?: ReportRead | undefined,
 *   nameFilter?: string | undefined,
 *   root?: string | undefined,
 * }} input `jest` and `report` are absent when an earlier step stopped the run before jest;
 *   `root` makes the test file paths in reasons relative.
 * @returns {Outcome}
 */
function decide({ failedSteps, jest, report, nameFilter, root }) {
  /** @type {string[]} */
  const reasons = [];
  const steps = [...failedSteps];
  let passed = 0;
  let failedTests = 0;
  let skipped = 0;
  let excluded = 0;

  if (jest !== undefined) {
    /** @type {string[]} */
    const jestProblems = [];
    if (jest.error !== undefined)
      jestProblems.push(`jest could not be started: ${jest.error.message}`);
    else if (jest.signal !== null) jestProblems.push(`jest was killed by ${jest.signal}`);
    else if (jest.status !== 0) jestProblems.push(`jest exited with status ${jest.status}`);

    if (report === undefined || report.kind === 'missing') {
      const file = report === undefined ? 'its report' : shown(report.file, root);
      jestProblems.push(
        `jest wrote no report (${file}): it stopped before writing one (its global setup or teardown threw, no test file matched, or it crashed); see its output above`,
      );
    } else if (report.kind === 'unreadable') {
      jestProblems.push(`jest's report ${shown(report.file, root)} is unreadable: ${report.error}`);
    } else {
      const json = report.report;
      const collected = json.testResults.reduce(
        (n, file) => n + file.assertionResults.filter((t) => t.wouldRun === true).length,
        0,
      );
      passed = json.numPassedTests - collected;
      failedTests = json.numFailedTests + json.numRuntimeErrorTestSuites;
      const notRun = classifyNotRun(json, nameFilter, root);
      skipped = notRun.skippedNames.length;
      excluded = notRun.excluded;
      if (collected > 0) jestProblems.push(`${count(collected)} only collected, not run`);
      if (passed + json.numFailedTests === 0) {
        jestProblems.push(
          nameFilter === undefined
            ? 'no test ran'
            : `no test ran: the name filter ${JSON.stringify(nameFilter)} matches no test`,
        );
      }
      if (!json.success && jest.status === 0) jestProblems.push('jest reported success: false');
      if (skipped > 0) {
        const names = notRun.skippedNames;
        const list = names.slice(0, 10).join('; ') + (names.length > 10 ? '; …' : '');
        reasons.push(
          `${count(skipped)} skipped or todo (${nameFilter === undefined ? 'no name filter' : 'matching the name filter'}): ${list}`,
        );
      }
    }
    reasons.unshift(...jestProblems);
    if (jestProblems.length > 0 && failedTests === 0) steps.push('jest');
  } else if (steps.length === 0) {
    reasons.push('jest did not run');
    steps.push('jest');
  }

  const failed = failedTests + steps.length;
  const exitCode = failed === 0 && skipped === 0 && jest !== undefined ? 0 : 1;
  return { passed, failed, skipped, excluded, failedSteps: steps, reasons, exitCode };
}

/**
 * @param {string} file
 * @param {string | undefined} root
 */
function shown(file, root) {
  if (root === undefined || !path.isAbsolute(file)) return file;
  const relative = path.relative(root, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** @param {number} n */
function count(n) {
  return n === 1 ? '1 test' : `${n} tests`;
}

/**
 * The line CI parses; always the last line `npm test` prints.
 * @param {Pick<Outcome, 'passed' | 'failed' | 'skipped'>} outcome
 */
function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/**
 * Everything printed after jest: why the run failed, which steps failed, how many tests a filter
 * deselected, then the summary line last.
 * @param {Outcome} outcome
 * @returns {string[]}
 */
function formatOutcome(outcome) {
  const lines = outcome.reasons.map((reason) => `✘ ${reason}`);
  if (outcome.failedSteps.length > 0) lines.push(`failed steps: ${outcome.failedSteps.join(', ')}`);
  if (outcome.excluded > 0)
    lines.push(`(${count(outcome.excluded)} deselected by the name filter)`);
  lines.push(summaryLine(outcome));
  return lines;
}

module.exports = { readReport, nameFilterOf, decide, summaryLine, formatOutcome };
