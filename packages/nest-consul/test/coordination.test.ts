import { ConsulOptionError } from '@consulkit/core';
import { Injectable, type INestApplication, Logger, SetMetadata } from '@nestjs/common';
import { ConsulModule, LeaderOnly, WithLock } from '../src';
import {
  closeApp,
  closeApps,
  createApp,
  logs,
  PLATFORMS,
  startApp,
  useAgent,
  waitFor,
} from './support/helpers';

const LEADER_KEY = 'jobs/cleanup/leader';
const LOCK_KEY = 'jobs/reindex/lock';

/** Shared by every app of the process: how many `work()` calls run at once. */
const concurrency = { active: 0, max: 0 };

@Injectable()
class Jobs {
  runs = 0;

  @LeaderOnly(LEADER_KEY)
  cleanup(): string {
    this.runs += 1;
    return 'ran';
  }

  @WithLock(LOCK_KEY, { wait: '200ms' })
  async reindex(ms: number): Promise<string> {
    concurrency.active += 1;
    concurrency.max = Math.max(concurrency.max, concurrency.active);
    try {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return 'done';
    } finally {
      concurrency.active -= 1;
    }
  }

  @WithLock('jobs/failing')
  async failing(): Promise<never> {
    throw new Error('job failed');
  }
}

@Injectable()
class BadLock {
  @WithLock('jobs/bad', { ttl: '1s' })
  async work(): Promise<void> {}
}

describe('method decorators without an app', () => {
  it('keep metadata other decorators put on the method, in either order', () => {
    class Decorated {
      @SetMetadata('schedule', 'above')
      @LeaderOnly('k1')
      above(): void {}

      @LeaderOnly('k2')
      @SetMetadata('schedule', 'below')
      below(): void {}
    }
    expect(Reflect.getMetadata('schedule', Decorated.prototype.above)).toBe('above');
    expect(Reflect.getMetadata('schedule', Decorated.prototype.below)).toBe('below');
    expect(Decorated.prototype.below.name).toBe('below');
  });

  it('skip, with one warning, on an instance no app manages', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const jobs = new Jobs();
      expect(jobs.cleanup()).toBeUndefined();
      expect(jobs.cleanup()).toBeUndefined();
      expect(jobs.runs).toBe(0);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('Jobs.cleanup skipped');
    } finally {
      warn.mockRestore();
    }
  });
});

describe.each(PLATFORMS)(
  '@LeaderOnly / @WithLock on %s with a real agent',
  (_platform, adapter) => {
    const fx = useAgent();
    afterEach(closeApps);

    function appModule() {
      return {
        imports: [ConsulModule.forRoot({ consul: { address: fx.agent.address }, service: false })],
        providers: [Jobs],
      };
    }

    it('runs a @LeaderOnly method on exactly one of two apps, then on the other once the first closes', async () => {
      const apps = [await startApp(appModule(), adapter), await startApp(appModule(), adapter)];
      const jobs = apps.map((app) => app.get(Jobs));
      const round = () => jobs.map((j) => j.cleanup());

      const first = await waitFor(round, (r) => r.includes('ran'));
      expect(first.filter((r) => r === 'ran')).toHaveLength(1);
      const leader = first.indexOf('ran');
      for (let i = 0; i < 5; i++) {
        expect(round()).toEqual(jobs.map((_, idx) => (idx === leader ? 'ran' : undefined)));
      }

      await closeApp(apps[leader] as INestApplication);
      const other = jobs[1 - leader] as Jobs;
      const before = other.runs;
      await waitFor(
        () => other.cleanup(),
        (r) => r === 'ran',
      );
      expect(other.runs).toBeGreaterThan(before);
      // The closed app's instance no longer runs anything.
      expect((jobs[leader] as Jobs).cleanup()).toBeUndefined();
    });

    it('never runs a @WithLock method on two apps at once, and skips when the lock is busy', async () => {
      const apps = [await startApp(appModule(), adapter), await startApp(appModule(), adapter)];
      const [a, b] = apps.map((app) => app.get(Jobs)) as [Jobs, Jobs];
      concurrency.max = 0;

      const first = a.reindex(1_500);
      // Once a holds the lock, b's call is skipped (the holder is visible, or 200ms pass).
      await waitFor(
        () => concurrency.active,
        (n) => n === 1,
      );
      expect(await b.reindex(10)).toBeUndefined();
      expect(await first).toBe('done');
      // Released: b runs now.
      expect(await b.reindex(10)).toBe('done');
      expect(concurrency.max).toBe(1);
    });

    it('rethrows the method error and releases the lock', async () => {
      const app = await startApp(appModule(), adapter);
      const jobs = app.get(Jobs);
      await expect(jobs.failing()).rejects.toThrow('job failed');
      await expect(jobs.failing()).rejects.toThrow('job failed');
      const entry = await fx.client().kv.get('jobs/failing');
      expect(entry?.session).toBeFalsy();
    });

    it('fails startup naming a bad @WithLock option', async () => {
      const app = await createApp(
        {
          imports: [
            ConsulModule.forRoot({ consul: { address: fx.agent.address }, service: false }),
          ],
          providers: [BadLock],
        },
        adapter,
      );
      const error = await app.init().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(ConsulOptionError);
      expect((error as ConsulOptionError).option).toBe('BadLock.work.ttl');
      expect(logs.some((l) => l.level === 'error')).toBe(false);
    });
  },
);
