import { type DynamicModule, Injectable, type INestApplication } from '@nestjs/common';
import { Interval, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { ConsulModule, type CoordinationLease, LeaderOnly, Lease } from '../src';
import { closeApp, closeApps, PLATFORMS, startApp, useAgent, waitFor } from './support/helpers';

/** `@Interval` applied last (above): it marks the wrapper `@LeaderOnly` made. */
@Injectable()
class IntervalAbove {
  runs = 0;
  tokens = new Set<number>();

  @Interval(40)
  @LeaderOnly('jobs/schedule/above')
  tick(@Lease() lease: CoordinationLease): void {
    this.runs += 1;
    this.tokens.add(lease.fencingToken);
  }
}

/** `@Interval` applied first (below): `@LeaderOnly` carries its metadata over to the wrapper. */
@Injectable()
class IntervalBelow {
  runs = 0;
  tokens = new Set<number>();

  @LeaderOnly('jobs/schedule/below')
  @Interval(40)
  tick(@Lease() lease: CoordinationLease): void {
    this.runs += 1;
    this.tokens.add(lease.fencingToken);
  }
}

type Job = typeof IntervalAbove | typeof IntervalBelow;

const DECORATOR_ORDERS: Array<[string, Job]> = [
  ['@Interval above @LeaderOnly', IntervalAbove],
  ['@Interval below @LeaderOnly', IntervalBelow],
];
const IMPORT_ORDERS = ['ScheduleModule first', 'ConsulModule first'] as const;

/**
 * Both decorator orders × both module import orders: the scheduler of every app fires the method,
 * and only the leader's runs it.
 */
const CASES = DECORATOR_ORDERS.flatMap(([order, job]) =>
  IMPORT_ORDERS.map((imports) => [order, imports, job] as const),
);

describe.each(PLATFORMS)('@LeaderOnly under @nestjs/schedule on %s', (_platform, adapter) => {
  const fx = useAgent();
  afterEach(closeApps);

  function imports(order: (typeof IMPORT_ORDERS)[number]): DynamicModule[] {
    const schedule = ScheduleModule.forRoot();
    const consul = ConsulModule.forRoot({
      isGlobal: true,
      consul: { address: fx.agent.address },
      service: false,
    });
    return order === 'ScheduleModule first' ? [schedule, consul] : [consul, schedule];
  }

  it.each(CASES)(
    '%s, %s: only the leader runs, the other once it leaves',
    async (_o, order, job) => {
      const apps = [
        await startApp({ imports: imports(order), providers: [job] }, adapter),
        await startApp({ imports: imports(order), providers: [job] }, adapter),
      ];
      // The method is scheduled in both apps.
      for (const app of apps) expect(app.get(SchedulerRegistry).getIntervals()).toHaveLength(1);
      const jobs = apps.map((app) => app.get<IntervalAbove | IntervalBelow>(job));

      const leader = await waitFor(
        () => jobs.findIndex((j) => j.runs >= 5),
        (i) => i >= 0,
        { what: 'five runs on one app' },
      );
      const other = 1 - leader;
      expect(jobs[other]?.runs).toBe(0);
      // The scheduler passes no argument: the module fills the @Lease() parameter.
      expect([...(jobs[leader]?.tokens ?? [])]).toEqual([expect.any(Number)]);

      await closeApp(apps[leader] as INestApplication);
      await waitFor(
        () => jobs[other]?.runs ?? 0,
        (runs) => runs >= 1,
        { what: 'a run on the app left' },
      );
      const [before] = [...(jobs[leader]?.tokens ?? [])];
      const [after] = [...(jobs[other]?.tokens ?? [])];
      expect(after).toBeGreaterThan(before ?? Infinity);
    },
  );
});
