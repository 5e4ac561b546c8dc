import { execFile } from 'node:child_process';
import path from 'node:path';
import {
  watchUnhandledRejections,
  withNoUnhandledRejections,
  UnhandledRejectionsError,
} from '../src';

const fixtureConfig = path.join(__dirname, 'fixtures', 'unhandled', 'jest.config.js');
const jestBin = require.resolve('jest/bin/jest');

/** The fixture's three tests, by a short name. */
const TITLES = {
  watch: 'watch: no unhandled rejection',
  wrapper: 'wrapper: no unhandled rejection',
  naive: 'naive sandboxed listener: no unhandled rejection',
} as const;
type Claim = keyof typeof TITLES;

interface FixtureRun {
  code: number | null;
  status: Record<Claim, string>;
  failure: Record<Claim, string>;
}

interface JestJson {
  testResults: Array<{
    assertionResults: Array<{ title: string; status: string; failureMessages: string[] }>;
  }>;
}

/**
 * Runs the fixture jest project in a child process (its own jest, outside this run's sandbox) with
 * the work leaking `plant`, and reads each test's outcome from jest's JSON report.
 */
function runFixture(plant: 'none' | 'unhandled' | 'late'): Promise<FixtureRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, CONSULKIT_PLANT: plant, FORCE_COLOR: '0' };
  delete env.JEST_WORKER_ID;
  const args = [jestBin, '--config', fixtureConfig, '--runInBand', '--ci', '--json'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 50_000 }, (error, stdout, stderr) => {
      try {
        const report = JSON.parse(stdout) as JestJson;
        const results = report.testResults.flatMap((file) => file.assertionResults);
        const status = {} as Record<Claim, string>;
        const failure = {} as Record<Claim, string>;
        for (const claim of Object.keys(TITLES) as Claim[]) {
          const result = results.find((r) => r.title === TITLES[claim]);
          status[claim] = result?.status ?? 'missing';
          failure[claim] = result?.failureMessages.join('\n') ?? '';
        }
        resolve({ code: error ? (error.code as number | null) : 0, status, failure });
      } catch (parseError) {
        reject(
          new Error(`the fixture run gave no JSON report (${String(parseError)}):\n${stderr}`),
        );
      }
    });
  });
}

describe('unhandled rejections, observed outside jest’s sandbox', () => {
  it('the fixture’s claims pass when its work leaks nothing', async () => {
    const run = await runFixture('none');
    expect(run.status).toEqual({ watch: 'passed', wrapper: 'passed', naive: 'passed' });
    expect(run.code).toBe(0);
  });

  it('a planted rejection nobody handles fails the tests using the helpers, naming its reason', async () => {
    const run = await runFixture('unhandled');
    expect(run.code).toBe(1);
    expect(run.status.watch).toBe('failed');
    expect(run.status.wrapper).toBe('failed');
    for (const claim of ['watch', 'wrapper'] as const) {
      expect(run.failure[claim]).toContain(
        'UnhandledRejectionsError: 1 unhandled promise rejection while watching',
      );
      expect(run.failure[claim]).toContain('1) Error: planted: nobody handles this');
    }
    // jest 30's own hook fails the naive test too, but its sandboxed listener saw nothing: the
    // failure is the bare rejection, not its `expect(seen).toEqual([])`.
    expect(run.status.naive).toBe('failed');
    expect(run.failure.naive).toContain('planted: nobody handles this');
    expect(run.failure.naive).not.toContain('toEqual');
  });

  it('a rejection handled a turn too late fails the helpers, while the naive check passes (the lie)', async () => {
    const run = await runFixture('late');
    expect(run.code).toBe(1);
    expect(run.status).toEqual({ watch: 'failed', wrapper: 'failed', naive: 'passed' });
    expect(run.failure.watch).toContain('1) Error: planted: handled a turn too late');
    expect(run.failure.wrapper).toContain('1) Error: planted: handled a turn too late');
  });
});

describe('watchUnhandledRejections / withNoUnhandledRejections in this process', () => {
  it('records the reason, then reports it in a typed error listing every reason', async () => {
    const unhandled = watchUnhandledRejections();
    const late = Promise.reject(new Error('seen here'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    late.catch(() => undefined); // handled late: jest's own hook forgives it, the watch does not
    expect(unhandled.reasons).toEqual([new Error('seen here')]);
    const failure = unhandled.expectNone();
    await expect(failure).rejects.toBeInstanceOf(UnhandledRejectionsError);
    await expect(failure).rejects.toMatchObject({
      code: 'CONSULKIT_UNHANDLED_REJECTION',
      reasons: [new Error('seen here')],
      message: expect.stringMatching(
        /^1 unhandled promise rejection while watching:\n {2}1\) Error: seen here/,
      ),
    });
    expect(unhandled.watching).toBe(false);
  });

  it('resolves with the work’s value, and lets the work’s own error win', async () => {
    await expect(withNoUnhandledRejections(async () => 42)).resolves.toBe(42);
    await expect(
      withNoUnhandledRejections(() => Promise.reject(new Error('the work failed'))),
    ).rejects.toThrow('the work failed');
  });

  it('stop() ends the watch without asserting; later rejections are not recorded', async () => {
    const unhandled = watchUnhandledRejections();
    unhandled.stop();
    unhandled.stop();
    const late = Promise.reject(new Error('after stop'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    late.catch(() => undefined);
    expect(unhandled.watching).toBe(false);
    expect(unhandled.reasons).toEqual([]);
    await expect(unhandled.expectNone()).resolves.toBeUndefined();
  });
});
