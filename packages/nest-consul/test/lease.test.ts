import { setTimeout as sleep } from 'node:timers/promises';
import { ConsulOptionError, ConsulLockError } from '@consulkit/core';
import { Injectable, type INestApplication } from '@nestjs/common';
import { ConsulModule, type CoordinationLease, LeaderOnly, Lease, WithLock } from '../src';
import {
  closeApp,
  closeApps,
  createApp,
  PLATFORMS,
  startApp,
  useAgent,
  waitFor,
} from './support/helpers';

/** One entry of the timeline every app of the process appends to, in the order things happen. */
interface Moment {
  app: string;
  what: 'start' | 'abort';
  token: number;
  session: string;
  reason?: string;
}

const timeline: Moment[] = [];

/**
 * The body of a long job: records its start, then runs until its lease's signal aborts (bounded,
 * so a broken abort fails the test instead of hanging it) and records the abort.
 */
async function holdUntilAborted(app: string, lease: CoordinationLease): Promise<void> {
  const moment = { app, token: lease.fencingToken, session: lease.session };
  timeline.push({ ...moment, what: 'start' });
  await new Promise<void>((resolve) => {
    const aborted = () => {
      clearTimeout(bound);
      const reason: unknown = lease.signal.reason;
      timeline.push({
        ...moment,
        what: 'abort',
        reason: reason instanceof ConsulLockError ? reason.reason : String(reason),
      });
      resolve();
    };
    const bound = setTimeout(resolve, 30_000);
    if (lease.signal.aborted) aborted();
    else lease.signal.addEventListener('abort', aborted, { once: true });
  });
}

/** A job a scheduler calls without arguments; the module fills the `@Lease()` parameter. */
type Scheduled = { name: string; run: () => Promise<unknown> | undefined };

@Injectable()
class LongLeaderJob {
  name = '?';

  // A short lock-delay keeps the test quick; the other holder still waits it out after a loss.
  @LeaderOnly('jobs/lease/leader', { lockDelay: '1s' })
  async run(@Lease() lease: CoordinationLease): Promise<void> {
    await holdUntilAborted(this.name, lease);
  }
}

@Injectable()
class LongLockJob {
  name = '?';

  @WithLock('jobs/lease/lock', { wait: '5s', lockDelay: '1s' })
  async run(@Lease() lease: CoordinationLease): Promise<void> {
    await holdUntilAborted(this.name, lease);
  }
}

@Injectable()
class LeaseArguments {
  @LeaderOnly('jobs/lease/args')
  leader(label: string, @Lease() lease: CoordinationLease): [string, CoordinationLease] {
    return [label, lease];
  }

  /** What the lock's lease looked like while the method ran (it is released afterwards). */
  @WithLock('jobs/lease/args-lock')
  async locked(@Lease() lease: CoordinationLease, label: string): Promise<unknown> {
    const { kind, key, fencingToken } = lease;
    return { label, kind, key, fencingToken, abortedWhileRunning: lease.signal.aborted };
  }

  @LeaderOnly('jobs/lease/both-leader')
  @WithLock('jobs/lease/both-lock')
  async both(
    @Lease('jobs/lease/both-lock') lock: CoordinationLease,
    @Lease('jobs/lease/both-leader') leader: CoordinationLease,
  ): Promise<string[]> {
    return [lock.kind, lock.key, leader.kind, leader.key];
  }
}

@Injectable()
class LeaseWithoutCoordination {
  plain(@Lease() lease: CoordinationLease): CoordinationLease {
    return lease;
  }
}

@Injectable()
class AmbiguousLease {
  @LeaderOnly('jobs/lease/ambiguous-leader')
  @WithLock('jobs/lease/ambiguous-lock')
  async run(@Lease() lease: CoordinationLease): Promise<CoordinationLease> {
    return lease;
  }
}

@Injectable()
class UnknownLeaseKey {
  @LeaderOnly('jobs/lease/known')
  run(@Lease('jobs/lease/unknown') lease: CoordinationLease): CoordinationLease {
    return lease;
  }
}

/**
 * Calls `run()` of each app's job again and again, as a scheduler would: the next call once the
 * previous one settled, every 20 ms. Bounded in count; `halt()` ends the loops after the calls
 * running (`done` resolves then).
 */
function drive(jobs: readonly Scheduled[]): { halt(): void; done: Promise<unknown> } {
  let halted = false;
  const loops = jobs.map(async (job) => {
    for (let i = 0; i < 3_000 && !halted; i++) {
      await job.run();
      await sleep(20);
    }
  });
  return { halt: () => (halted = true), done: Promise.all(loops) };
}

const starts = () => timeline.filter((m) => m.what === 'start');

/** Where the abort of the hold that started as `start` is in the timeline (-1: never aborted). */
function abortIndex(start: Moment): number {
  return timeline.findIndex(
    (m) => m.what === 'abort' && m.app === start.app && m.token === start.token,
  );
}

/**
 * Two apps run the job under a scheduler-like driver. The first holder loses its hold mid-run
 * (its session destroyed by another client), the next holder's app is closed mid-run, and a third
 * holder takes over. Checks, on the timeline, that each running method's signal aborted before
 * the next holder's method started, and that fencing tokens strictly increased.
 */
async function handOverTwice(
  apps: readonly INestApplication[],
  jobs: Array<Scheduled & { name: string }>,
  destroySession: (id: string) => Promise<unknown>,
): Promise<Moment[]> {
  timeline.length = 0;
  jobs.forEach((job, i) => (job.name = `app${i}`));
  const driver = drive(jobs);
  try {
    const first = await waitFor(() => starts()[0], { what: 'a first holder' });
    await destroySession(first.session);
    const second = await waitFor(() => starts()[1], { what: 'a second holder' });
    await closeApp(apps[jobs.findIndex((j) => j.name === second.app)] as INestApplication);
    await waitFor(() => starts()[2], { what: 'a third holder' });
  } finally {
    driver.halt();
    // Closing the apps ends the running hold, so the last call returns.
    await closeApps();
    await driver.done;
  }
  return starts().slice(0, 3);
}

describe('@Lease() without an app', () => {
  it('refuses a constructor parameter, naming it', () => {
    expect(() => {
      @Injectable()
      class OnConstructor {
        constructor(@Lease() readonly lease: CoordinationLease) {}
      }
      return OnConstructor;
    }).toThrow(expect.objectContaining({ option: 'OnConstructor.constructor[0]' }));
  });

  it('refuses an empty key, naming the parameter', () => {
    expect(() => {
      class EmptyKey {
        @LeaderOnly('k')
        run(@Lease('') lease: CoordinationLease): CoordinationLease {
          return lease;
        }
      }
      return EmptyKey;
    }).toThrow(expect.objectContaining({ option: 'EmptyKey.run[0].key' }));
  });
});

describe.each(PLATFORMS)('@Lease() on %s with a real agent', (_platform, adapter) => {
  const fx = useAgent();
  afterEach(closeApps);

  const root = () =>
    ConsulModule.forRoot({ consul: { address: fx.agent.address }, service: false });

  it('injects the hold at the parameter it decorates, keeping the caller arguments', async () => {
    const app = await startApp({ imports: [root()], providers: [LeaseArguments] }, adapter);
    const job = app.get(LeaseArguments);
    const [label, lease] = await waitFor(
      () => (job.leader as (label: string) => [string, CoordinationLease] | undefined)('tick'),
      { what: 'leadership' },
    );
    expect(label).toBe('tick');
    expect(lease).toMatchObject({ kind: 'leader', key: 'jobs/lease/args' });
    expect(lease.fencingToken).toBeGreaterThan(0);
    expect(lease.signal.aborted).toBe(false);
    const entry = await fx.client().kv.get('jobs/lease/args');
    expect(entry?.session).toBe(lease.session);
    expect(entry?.modifyIndex).toBe(lease.fencingToken);

    const locked = await (job.locked as (l: unknown, label: string) => Promise<unknown>)(
      undefined,
      'once',
    );
    expect(locked).toEqual({
      label: 'once',
      kind: 'lock',
      key: 'jobs/lease/args-lock',
      fencingToken: expect.any(Number) as unknown,
      abortedWhileRunning: false,
    });

    const both = await waitFor(() => (job.both as () => Promise<string[]> | undefined)(), {
      what: 'leadership of both-leader',
    });
    expect(both).toEqual(['lock', 'jobs/lease/both-lock', 'leader', 'jobs/lease/both-leader']);
  });

  it.each([
    [LeaseWithoutCoordination, 'LeaseWithoutCoordination.plain[0]'],
    [AmbiguousLease, 'AmbiguousLease.run[0]'],
    [UnknownLeaseKey, 'UnknownLeaseKey.run[0].key'],
  ])('fails startup for a @Lease() that gets no single hold (%p)', async (provider, option) => {
    const app = await createApp({ imports: [root()], providers: [provider] }, adapter);
    const init = app.init();
    await expect(init).rejects.toBeInstanceOf(ConsulOptionError);
    await expect(init).rejects.toMatchObject({ option });
  });

  it('@LeaderOnly: a lost or given-up leadership aborts the running method before the next leader runs; tokens increase', async () => {
    const modules = { imports: [root()], providers: [LongLeaderJob] };
    const apps = [await startApp(modules, adapter), await startApp(modules, adapter)];
    const jobs = apps.map((app) => app.get(LongLeaderJob) as unknown as Scheduled);
    const holders = await handOverTwice(apps, jobs, (id) => fx.client().session.destroy(id));
    const [first, second, third] = holders as [Moment, Moment, Moment];

    expect(abortIndex(first)).toBeGreaterThanOrEqual(0);
    expect(abortIndex(first)).toBeLessThan(timeline.indexOf(second));
    expect(abortIndex(second)).toBeGreaterThanOrEqual(0);
    expect(abortIndex(second)).toBeLessThan(timeline.indexOf(third));
    expect(first.token).toBeLessThan(second.token);
    expect(second.token).toBeLessThan(third.token);
    expect(third.app).not.toBe(second.app);
    const reasons = timeline.filter((m) => m.what === 'abort').map((m) => m.reason);
    expect(['session-invalidated', 'session-expired']).toContain(reasons[0]);
    expect(reasons[1]).toBe('released');
  });

  it('@WithLock: a lost or released lock aborts the running method before the next holder runs; tokens increase', async () => {
    const modules = { imports: [root()], providers: [LongLockJob] };
    const apps = [await startApp(modules, adapter), await startApp(modules, adapter)];
    const jobs = apps.map((app) => app.get(LongLockJob) as unknown as Scheduled);
    const holders = await handOverTwice(apps, jobs, (id) => fx.client().session.destroy(id));
    const [first, second, third] = holders as [Moment, Moment, Moment];

    expect(abortIndex(first)).toBeGreaterThanOrEqual(0);
    expect(abortIndex(first)).toBeLessThan(timeline.indexOf(second));
    expect(abortIndex(second)).toBeGreaterThanOrEqual(0);
    expect(abortIndex(second)).toBeLessThan(timeline.indexOf(third));
    expect(first.token).toBeLessThan(second.token);
    expect(second.token).toBeLessThan(third.token);
    expect(third.app).not.toBe(second.app);
    const reasons = timeline.filter((m) => m.what === 'abort').map((m) => m.reason);
    expect(['session-invalidated', 'session-expired']).toContain(reasons[0]);
    expect(['released', 'closed']).toContain(reasons[1]);
  });
});
