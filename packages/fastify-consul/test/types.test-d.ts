/**
 * Type tests, checked by `tsc -p tsconfig.test.json --noEmit` (npm run typecheck); never run.
 * Each `@ts-expect-error` fails the check if the line below it compiles.
 */
import {
  Consul,
  type ConfigStore,
  type HeldLock,
  type HeldSemaphore,
  type Kv,
  type LeaderElection,
  type Lock,
  type Semaphore,
  type Registration,
  type ServiceClient,
} from '@consulkit/core';
import Fastify from 'fastify';
import fastifyConsul, {
  type CheckFunction,
  type FastifyConsul,
  type FastifyConsulOptions,
  type HealthSummary,
} from '@consulkit/fastify';
import { fastifyConsul as named } from '@consulkit/fastify';
// CommonJS-style import of the `export =` module (what `require` users get, typed).
// eslint-disable-next-line @typescript-eslint/no-require-imports
import cjs = require('@consulkit/fastify');

/** `true` only when A and B are the same type (not merely assignable). */
type Equal<A, B> =
  (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
/** Compiles only when `value`'s type is exactly `T`. */
function exact<T>() {
  return <V>(value: V & (Equal<V, T> extends true ? unknown : never)): V => value;
}

async function typeTests(): Promise<void> {
  const app = Fastify();

  // The three export shapes are the same plugin.
  await app.register(fastifyConsul, { service: { name: 'web' } });
  await app.register(named, { service: false });
  await app.register(fastifyConsul.default, { service: false });
  await app.register(cjs, { service: false });

  // Every option.
  const options: FastifyConsulOptions = {
    consul: { address: 'http://127.0.0.1:8500', token: 't', timeout: '5s' },
    service: {
      name: 'web',
      id: 'web-1',
      tags: ['v1'],
      meta: { version: '1' },
      address: '10.0.0.1',
      port: 8080,
      weights: { passing: 2, warning: 1 },
      check: { http: true, interval: '5s', timeout: '1s', deregisterCriticalServiceAfter: '2m' },
      checks: [
        { tcp: true, interval: '10s' },
        { http: '/ready', interval: 1000 },
      ],
      deregisterCriticalServiceAfter: '5m',
    },
    healthRoute: '/health',
    ttl: '10s',
    checkTimeout: 2000,
    drain: '2s',
    deregisterTimeout: '5s',
    failFast: true,
    closeOnSignals: ['SIGTERM'],
  };
  await app.register(fastifyConsul, options);
  await app.register(fastifyConsul, { client: new Consul(), service: false, healthRoute: false });

  // Wrong options do not compile.
  // @ts-expect-error service is required (an object or false)
  await app.register(fastifyConsul, {});
  // @ts-expect-error healthRoute is a path or false
  await app.register(fastifyConsul, { service: false, healthRoute: 42 });
  // @ts-expect-error healthRoute cannot be true
  await app.register(fastifyConsul, { service: false, healthRoute: true });
  // @ts-expect-error drain is a duration (number or string)
  await app.register(fastifyConsul, { service: false, drain: true });
  // @ts-expect-error service.name is required
  await app.register(fastifyConsul, { service: { tags: ['x'] } });
  // @ts-expect-error service.port is a number
  await app.register(fastifyConsul, { service: { name: 'web', port: '8080' } });
  // @ts-expect-error unknown service option
  await app.register(fastifyConsul, { service: { name: 'web', nmae: 'x' } });
  // @ts-expect-error check.http is true or a string
  await app.register(fastifyConsul, { service: { name: 'web', check: { http: false } } });
  // @ts-expect-error client must be a Consul
  await app.register(fastifyConsul, { service: false, client: { kv: {} } });
  // @ts-expect-error closeOnSignals takes signal names
  await app.register(fastifyConsul, { service: false, closeOnSignals: ['TERM'] });
  // @ts-expect-error consul options are checked too
  await app.register(fastifyConsul, { service: false, consul: { adress: 'x' } });

  // app.consul is typed by declaration merging.
  exact<FastifyConsul>()(app.consul);
  exact<Consul>()(app.consul.client);
  exact<Kv>()(app.consul.kv);
  exact<Registration | undefined>()(app.consul.registration);
  exact<ServiceClient>()(app.consul.service('user-service'));
  exact<ServiceClient>()(app.consul.service('user-service', { retries: 1, tag: 'v2' }));
  const client: ServiceClient = app.consul.service('b');
  const res = await client.request({ path: '/users/1' });
  exact<number>()(res.statusCode);
  exact<Lock>()(app.consul.lock('jobs/cleanup', { ttl: '15s' }));
  exact<HeldLock>()(await app.consul.lock('jobs/cleanup').acquire());
  exact<Semaphore>()(app.consul.semaphore('jobs/encoders', 2, { livenessCheck: true }));
  exact<HeldSemaphore>()(await app.consul.semaphore('jobs/encoders', 2).acquire());
  exact<LeaderElection>()(app.consul.leader('jobs/leader'));
  exact<ConfigStore<{ timeout: string }>>()(
    app.consul.config<{ timeout: string }>({ prefix: 'config/app/' }),
  );
  exact<Promise<HealthSummary>>()(app.consul.health());
  const remove: () => void = app.consul.addCheck('db', async () => undefined);
  remove();
  app.consul.addCheck('queue', () => ({ status: 'warning', output: 'slow' }));
  app.consul.addCheck('cache', () => false);
  const fn: CheckFunction = () => true;
  app.consul.addCheck('x', fn);

  // @ts-expect-error a check reports passing/warning/critical only
  app.consul.addCheck('bad', () => ({ status: 'ok' }));
  // @ts-expect-error service() needs a name
  app.consul.service();
  // @ts-expect-error service options are core's ConsulHttpOptions
  app.consul.service('b', { retires: 1 });
  // @ts-expect-error app.consul is read-only state, not a place for arbitrary members
  app.consul.nope();
  // @ts-expect-error registration is read-only
  app.consul.registration = undefined;
}

void typeTests;
