import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  decide,
  formatOutcome,
  nameFilterOf,
  readReport,
  summaryLine,
  type JestExit,
  type JestReport,
  type Outcome,
  type ReportRead,
} from '../summary.cjs';

// The verdict of `npm test` as pure logic: reports are built here, no jest is run.

const root = '/repo';
const exited0: JestExit = { status: 0, signal: null };

type Status = 'passed' | 'failed' | 'pending' | 'todo';

function reportOf(
  tests: ReadonlyArray<readonly [fullName: string, status: Status]>,
  extra: Partial<JestReport> = {},
): ReportRead {
  const count = (status: Status) => tests.filter(([, s]) => s === status).length;
  const report: JestReport = {
    success: count('failed') === 0,
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('pending'),
    numTodoTests: count('todo'),
    numRuntimeErrorTestSuites: 0,
    testResults: [
      {
        name: '/repo/pkg/test/a.test.ts',
        assertionResults: tests.map(([fullName, status]) => ({ fullName, status })),
      },
    ],
    ...extra,
  };
  return { kind: 'ok', file: '/repo/reports/jest.json', report };
}

function verdict(
  report: ReportRead | undefined,
  options: { jest?: JestExit; failedSteps?: string[]; nameFilter?: string } = {},
): Outcome {
  return decide({
    failedSteps: options.failedSteps ?? [],
    jest: options.jest ?? exited0,
    report,
    nameFilter: options.nameFilter,
    root,
  });
}

describe('nameFilterOf', () => {
  it.each([
    [['-t', 'lock'], 'lock'],
    [['-t=lock'], 'lock'],
    [['--testNamePattern', 'lock delay'], 'lock delay'],
    [['--testNamePattern=a=b'], 'a=b'],
    [['--test-name-pattern', 'lock'], 'lock'],
    [['--selectProjects', 'chaos', 'packages/core', '-t', 'x', '-t', 'y'], 'y'],
  ])('reads the name filter from %j', (args, filter) => {
    expect(nameFilterOf(args)).toBe(filter);
  });

  it.each([[[]], [['--selectProjects', 'chaos']], [['packages/core/test/lock.test.ts']], [['-t']]])(
    'finds no name filter in %j',
    (args) => {
      expect(nameFilterOf(args)).toBeUndefined();
    },
  );
});

describe('readReport', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'consulkit-report-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function written(name: string, text: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  it('reads a jest report', () => {
    const report = (reportOf([['a', 'passed']]) as { report: JestReport }).report;
    const file = written('ok.json', JSON.stringify(report));
    expect(readReport(file)).toEqual({ kind: 'ok', file, report });
  });

  it('tells a missing report apart', () => {
    const file = path.join(dir, 'absent.json');
    expect(readReport(file)).toEqual({ kind: 'missing', file });
  });

  it.each([
    ['truncated', '{"numPassedTests": 2, "numFailedTests"', /^not JSON/],
    ['not an object', '42', /not an object/],
    ['without counts', '{"success": true, "testResults": []}', /numPassedTests is undefined/],
    [
      'with a negative count',
      JSON.stringify({
        ...(reportOf([]) as { report: JestReport }).report,
        numFailedTests: -1,
      }),
      /numFailedTests is -1/,
    ],
    [
      'without testResults',
      JSON.stringify({ ...(reportOf([]) as { report: JestReport }).report, testResults: null }),
      /no testResults/,
    ],
  ])('calls a report %s unreadable', (name, text, error) => {
    const read = readReport(written(`${name}.json`, text));
    expect(read).toMatchObject({ kind: 'unreadable', error: expect.stringMatching(error) });
  });

  it('calls a report path that is a directory unreadable', () => {
    const file = path.join(dir, 'a-directory');
    mkdirSync(file);
    expect(readReport(file)).toMatchObject({ kind: 'unreadable', error: expect.any(String) });
  });
});

describe('decide', () => {
  it('passes a run whose tests all passed', () => {
    const outcome = verdict(
      reportOf([
        ['a', 'passed'],
        ['b', 'passed'],
      ]),
    );
    expect(outcome).toEqual({
      passed: 2,
      failed: 0,
      skipped: 0,
      excluded: 0,
      failedSteps: [],
      reasons: [],
      exitCode: 0,
    });
  });

  it('counts failing tests and suites that failed to run', () => {
    const outcome = verdict(
      reportOf(
        [
          ['a', 'passed'],
          ['b', 'failed'],
        ],
        { numRuntimeErrorTestSuites: 1, success: false },
      ),
      { jest: { status: 1, signal: null } },
    );
    expect(outcome).toMatchObject({ passed: 1, failed: 2, failedSteps: [], exitCode: 1 });
    expect(outcome.reasons).toEqual(['jest exited with status 1']);
  });

  it('fails skipped and todo tests when no filter is given, naming them', () => {
    const outcome = verdict(
      reportOf([
        ['a', 'passed'],
        ['group b', 'pending'],
        ['c', 'todo'],
      ]),
    );
    expect(outcome).toMatchObject({ passed: 1, failed: 0, skipped: 2, exitCode: 1 });
    expect(outcome.reasons).toEqual([
      '2 tests skipped or todo (no name filter): pkg/test/a.test.ts › group b; pkg/test/a.test.ts › c (todo)',
    ]);
  });

  it('does not count tests the name filter deselects, but counts a .skip it selects', () => {
    const tests = [
      ['lock acquires', 'passed'],
      ['lock is skipped', 'pending'],
      ['watch other', 'pending'],
    ] as const;
    expect(verdict(reportOf(tests), { nameFilter: 'acquires' })).toMatchObject({
      skipped: 0,
      excluded: 2,
      exitCode: 0,
    });
    // jest's name filter is a case-insensitive regular expression on the full name.
    expect(verdict(reportOf(tests), { nameFilter: 'LOCK' })).toMatchObject({
      skipped: 1,
      excluded: 1,
      exitCode: 1,
    });
  });

  it('counts every todo, since jest reports a deselected todo as pending', () => {
    const outcome = verdict(
      reportOf([
        ['a', 'passed'],
        ['b', 'todo'],
      ]),
      { nameFilter: 'a' },
    );
    expect(outcome).toMatchObject({ skipped: 1, exitCode: 1 });
  });

  it('counts every pending test as skipped when the filter is not a valid pattern', () => {
    const outcome = verdict(
      reportOf([
        ['a(', 'passed'],
        ['b', 'pending'],
      ]),
      { nameFilter: 'a(' },
    );
    expect(outcome).toMatchObject({ skipped: 1, excluded: 0, exitCode: 1 });
  });

  it('fails a run where no test ran, counting jest as a failed step', () => {
    const outcome = verdict(reportOf([['a', 'pending']]), { nameFilter: 'nothing' });
    expect(outcome).toMatchObject({ passed: 0, failed: 1, failedSteps: ['jest'], exitCode: 1 });
    expect(outcome.reasons).toEqual(['no test ran: the name filter "nothing" matches no test']);
  });

  it('does not count collected tests (jest --collectTests) as passed', () => {
    const read = reportOf([['a', 'passed']]);
    (read as { report: JestReport }).report.testResults[0]!.assertionResults[0]!.wouldRun = true;
    const outcome = verdict(read);
    expect(outcome).toMatchObject({ passed: 0, failed: 1, exitCode: 1 });
    expect(outcome.reasons).toEqual(['1 test only collected, not run', 'no test ran']);
  });

  it('fails a run whose jest exited non-zero with no failing test (a throwing global teardown)', () => {
    const outcome = verdict(
      { kind: 'missing', file: '/repo/reports/jest.json' },
      {
        jest: { status: 1, signal: null },
      },
    );
    expect(outcome).toMatchObject({ passed: 0, failed: 1, failedSteps: ['jest'], exitCode: 1 });
    expect(outcome.reasons).toEqual([
      'jest exited with status 1',
      expect.stringMatching(
        /^jest wrote no report \(reports\/jest\.json\): .*global setup or teardown threw/,
      ),
    ]);
  });

  it('fails a run with a report but a non-zero exit and no failing test', () => {
    const outcome = verdict(reportOf([['a', 'passed']]), { jest: { status: 1, signal: null } });
    expect(outcome).toMatchObject({ passed: 1, failed: 1, failedSteps: ['jest'], exitCode: 1 });
  });

  it('fails a run whose report is missing or unreadable though jest exited 0', () => {
    expect(verdict({ kind: 'missing', file: '/elsewhere/r.json' })).toMatchObject({
      failed: 1,
      reasons: [expect.stringContaining('jest wrote no report (/elsewhere/r.json)')],
      exitCode: 1,
    });
    expect(
      verdict({ kind: 'unreadable', file: '/repo/reports/jest.json', error: 'not JSON' }),
    ).toMatchObject({
      failed: 1,
      reasons: ["jest's report reports/jest.json is unreadable: not JSON"],
      exitCode: 1,
    });
  });

  it('fails a run whose jest was killed or could not start', () => {
    expect(verdict(undefined, { jest: { status: null, signal: 'SIGKILL' } }).reasons[0]).toBe(
      'jest was killed by SIGKILL',
    );
    const notStarted = verdict(undefined, {
      jest: { status: null, signal: null, error: new Error('spawn ENOENT') },
    });
    expect(notStarted.reasons[0]).toBe('jest could not be started: spawn ENOENT');
    expect(notStarted).toMatchObject({ failed: 1, exitCode: 1 });
  });

  it('fails a run where jest reported success: false but exited 0', () => {
    const outcome = verdict(reportOf([['a', 'passed']], { success: false }));
    expect(outcome).toMatchObject({ failed: 1, exitCode: 1 });
    expect(outcome.reasons).toEqual(['jest reported success: false']);
  });

  it('counts and names failed steps before jest, with or without a jest run', () => {
    expect(
      decide({
        failedSteps: ['eslint', 'prettier'],
        jest: exited0,
        report: reportOf([['a', 'passed']]),
      }),
    ).toMatchObject({ passed: 1, failed: 2, failedSteps: ['eslint', 'prettier'], exitCode: 1 });
    expect(decide({ failedSteps: ['build'] })).toEqual({
      passed: 0,
      failed: 1,
      skipped: 0,
      excluded: 0,
      failedSteps: ['build'],
      reasons: [],
      exitCode: 1,
    });
  });

  it('never passes a run without jest', () => {
    expect(decide({ failedSteps: [] })).toMatchObject({
      failed: 1,
      failedSteps: ['jest'],
      reasons: ['jest did not run'],
      exitCode: 1,
    });
  });

  it('exits 0 exactly when the last line reads "N passed, 0 failed, 0 skipped" with N > 0', () => {
    const status = fc.constantFrom<Status>('passed', 'failed', 'pending', 'todo');
    const test = fc.tuple(fc.constantFrom('a', 'b', 'lock a', 'watch b'), status);
    const read = fc.oneof(
      fc
        .tuple(fc.array(test, { maxLength: 6 }), fc.nat(2), fc.boolean())
        .map(([tests, runtimeErrors, success]) =>
          reportOf(tests, { numRuntimeErrorTestSuites: runtimeErrors, success }),
        ),
      fc.constant<ReportRead>({ kind: 'missing', file: '/repo/r.json' }),
      fc.constant<ReportRead>({ kind: 'unreadable', file: '/repo/r.json', error: 'x' }),
    );
    const jest = fc.oneof(
      fc.constantFrom<JestExit>(exited0, { status: 1, signal: null }),
      fc.constant<JestExit>({ status: null, signal: 'SIGTERM' }),
    );
    fc.assert(
      fc.property(
        read,
        jest,
        fc.subarray(['build', 'eslint']),
        fc.option(fc.constantFrom('a', 'lock', 'zzz'), { nil: undefined }),
        (report, jestExit, failedSteps, nameFilter) => {
          const outcome = decide({ failedSteps, jest: jestExit, report, nameFilter });
          const line = summaryLine(outcome);
          const greenLine = /^[1-9]\d* passed, 0 failed, 0 skipped$/.test(line);
          expect(outcome.exitCode === 0).toBe(greenLine);
          // A run passes only if every input says so (the converse is not claimed: a report can
          // show failures that no reason repeats).
          const clean =
            failedSteps.length === 0 &&
            jestExit.status === 0 &&
            report.kind === 'ok' &&
            report.report.success &&
            outcome.reasons.length === 0;
          expect(outcome.exitCode !== 0 || clean).toBe(true);
        },
      ),
    );
  });
});

describe('formatOutcome', () => {
  it('prints reasons, failed steps and deselected tests before the summary line', () => {
    const lines = formatOutcome({
      passed: 3,
      failed: 1,
      skipped: 0,
      excluded: 4,
      failedSteps: ['jest'],
      reasons: ['jest exited with status 1'],
      exitCode: 1,
    });
    expect(lines).toEqual([
      '✘ jest exited with status 1',
      'failed steps: jest',
      '(4 tests deselected by the name filter)',
      '3 passed, 1 failed, 0 skipped',
    ]);
  });

  it('prints only the summary line for a clean run', () => {
    expect(formatOutcome(verdict(reportOf([['a', 'passed']])))).toEqual([
      '1 passed, 0 failed, 0 skipped',
    ]);
  });
});
