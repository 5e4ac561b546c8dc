import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { request } from 'undici';
import { ConsulHealthIndicator, ConsulModule, ConsulService } from '../src';
import { boundPort, closeApps, PLATFORMS, startApp, uniqueName, useAgent } from './support/helpers';

@Controller('ready')
class ReadyController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(ConsulHealthIndicator) private readonly consul: ConsulHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.consul.isHealthy('consul', { checks: true })]);
  }
}

describe.each(PLATFORMS)(
  'ConsulHealthIndicator with @nestjs/terminus on %s',
  (_platform, adapter) => {
    const fx = useAgent();
    afterEach(closeApps);

    it('reports up with the leader and the registration, down when a check is critical', async () => {
      const name = uniqueName('web');
      const app = await startApp(
        {
          imports: [
            TerminusModule,
            ConsulModule.forRoot({
              consul: { address: fx.agent.address },
              service: { name },
              healthRoute: false,
              drain: '10ms',
            }),
          ],
          controllers: [ReadyController],
        },
        adapter,
      );
      const url = `http://127.0.0.1:${boundPort(app)}/ready`;
      await app.get(ConsulService).registration?.registered;
      const up = await request(url);
      expect(up.statusCode).toBe(200);
      const body = (await up.body.json()) as { info: { consul: Record<string, unknown> } };
      expect(body.info.consul).toMatchObject({
        status: 'up',
        registration: { state: 'registered', maintenance: false },
      });
      expect(body.info.consul.leader).toMatch(/^127\.0\.0\.1:\d+$/);

      app
        .get(ConsulService)
        .addCheck('db', () => ({ status: 'critical', output: 'no connection' }));
      const down = await request(url);
      expect(down.statusCode).toBe(503);
      const failed = (await down.body.json()) as { error: { consul: Record<string, unknown> } };
      expect(failed.error.consul).toMatchObject({
        status: 'down',
        message: 'An application check is critical',
      });
    });

    it('reports down when the agent cannot be reached', async () => {
      const app = await startApp(
        {
          imports: [
            TerminusModule,
            ConsulModule.forRoot({
              consul: { address: 'http://127.0.0.1:1', retry: { retries: 0 } },
              service: false,
            }),
          ],
          controllers: [ReadyController],
        },
        adapter,
      );
      const res = await request(`http://127.0.0.1:${boundPort(app)}/ready`);
      expect(res.statusCode).toBe(503);
      const body = (await res.body.json()) as { error: { consul: { message: string } } };
      expect(body.error.consul.message).toMatch(/cannot be reached/);
    });
  },
);

describe('@nestjs/terminus stays optional', () => {
  /** Every built file of the package. */
  function files(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? files(full) : [full];
    });
  }

  it('is never required by the built code nor referenced by its typings', () => {
    const dist = path.join(__dirname, '..', 'dist');
    const built = files(dist).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'));
    expect(built.length).toBeGreaterThan(10);
    const offenders = built.filter((f) =>
      /(require\(|from |import\()\s*['"]@nestjs\/terminus['"]/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('is an optional peer dependency', () => {
    const manifest = JSON.parse(
      readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'),
    ) as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(manifest.peerDependencies['@nestjs/terminus']).toBeDefined();
    expect(manifest.peerDependenciesMeta['@nestjs/terminus']?.optional).toBe(true);
  });
});
