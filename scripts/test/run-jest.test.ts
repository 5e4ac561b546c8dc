import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The jest step of `npm test` (scripts/run-jest.mjs), run in a child process against the fixture
// projects of ./fixtures: its exit code and its last line for every way a run can go wrong.

const script = path.join(__dirname, '..', 'run-jest.mjs');
const fixtures = path.join(__dirname, 'fixtures');

interface Verdict {
  code: number | null;
  /** Everything printed before the last line (reasons, failed steps, jest's own output). */
  before: string;
  last: string;
}

let dir: string;
let runs = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'consulkit-summary-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function verdictOf(fixture: string, ...jestArgs: string[]): Promise<Verdict> {
  runs += 1;
  const args = [
    script,
    `--report=${path.join(dir, `report-${runs}.json`)}`,
    '--config',
    path.join(fixtures, `${fixture}.config.js`),
    ...jestArgs,
  ];
  // The child is a jest of its own, not one of this run's workers.
  const env = { ...process.env };
  delete env.JEST_WORKER_ID;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.trimEnd().split('\n');
      const last = lines.pop() ?? '';
      resolve({ code, before: `${stderr}\n${lines.join('\n')}`, last });
    });
  });
}

function expectPass(verdict: Verdict, line: string): void {
  expect(verdict.last).toBe(line);
  expect(verdict.code).toBe(0);
  expect(verdict.before).not.toContain('✘');
}

function expectFail(verdict: Verdict, line: string, reason: RegExp): void {
  expect(verdict.last).toBe(line);
  expect(verdict.code).toBe(1);
  expect(verdict.before).toMatch(reason);
}

describe('run-jest.mjs against fixture projects', () => {
  it('passes a run whose tests all pass, and says how many', async () => {
    expectPass(await verdictOf('passing'), '2 passed, 0 failed, 0 skipped');
  });

  it('fails a run with a failing test', async () => {
    expectFail(
      await verdictOf('failing'),
      '1 passed, 1 failed, 0 skipped',
      /✘ jest exited with status 1/,
    );
  });

  it('fails a run with a planted .skip and a .todo when no filter is given', async () => {
    const verdict = await verdictOf('skipped');
    expectFail(
      verdict,
      '1 passed, 0 failed, 2 skipped',
      /✘ 2 tests skipped or todo \(no name filter\): .*skipped fixture is skipped in code.*skipped fixture is still to do \(todo\)/,
    );
  });

  it('passes when a -t filter deselects the skipped and todo tests', async () => {
    const verdict = await verdictOf('skipped', '-t', 'runs');
    expectPass(verdict, '1 passed, 0 failed, 0 skipped');
    expect(verdict.before).toContain('(2 tests deselected by the name filter)');
  });

  it('still fails a .skip that the -t filter selects', async () => {
    expectFail(
      await verdictOf('skipped', '--testNamePattern=runs|skipped in code'),
      '1 passed, 0 failed, 1 skipped',
      /✘ 1 test skipped or todo \(matching the name filter\): .*skipped fixture is skipped in code/,
    );
  });

  it('fails a run whose global teardown throws, though every test passed', async () => {
    const verdict = await verdictOf('teardown-throws');
    expectFail(verdict, '0 passed, 1 failed, 0 skipped', /✘ jest exited with status 1/);
    expect(verdict.before).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(verdict.before).toContain('fixture global teardown failed');
    expect(verdict.before).toMatch(/✘ jest wrote no report/);
    expect(verdict.before).toContain('failed steps: jest');
  });

  it('fails a run whose global setup throws', async () => {
    const verdict = await verdictOf('setup-throws');
    expectFail(verdict, '0 passed, 1 failed, 0 skipped', /✘ jest wrote no report/);
    expect(verdict.before).toContain('fixture global setup failed');
  });

  it('fails a run whose -t filter matches no test', async () => {
    expectFail(
      await verdictOf('passing', '-t', 'no test has this name'),
      '0 passed, 1 failed, 0 skipped',
      /✘ no test ran: the name filter "no test has this name" matches no test/,
    );
  });

  it('fails a run whose path filter matches no test file', async () => {
    // jest exits 1 ("No tests found"); whether it still writes its report depends on how fast its
    // stderr drains, so either reason may be given.
    expectFail(
      await verdictOf('passing', 'no-such-test-file'),
      '0 passed, 1 failed, 0 skipped',
      /✘ (no test ran|jest wrote no report)/,
    );
  });

  it('fails a run that left no report, even though jest exited 0', async () => {
    const verdict = await verdictOf('report-missing');
    expectFail(verdict, '0 passed, 1 failed, 0 skipped', /✘ jest wrote no report/);
    expect(verdict.before).not.toContain('jest exited with status');
  });

  it('fails a run whose report is unreadable, even though jest exited 0', async () => {
    const verdict = await verdictOf('report-garbled');
    expectFail(
      verdict,
      '0 passed, 1 failed, 0 skipped',
      /✘ jest's report .* is unreadable: not JSON/,
    );
    expect(verdict.before).not.toContain('jest exited with status');
  });
});
