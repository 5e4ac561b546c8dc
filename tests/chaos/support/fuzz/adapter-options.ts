import { type Consul } from '@consulkit/core';
import fc from 'fast-check';
import { CHECK_MISTAKES, type CheckInput, validCheck } from './checks';
import {
  type ClientInput,
  clientMutations,
  expectedClient,
  validClientCases,
} from './client-options';
import {
  BEYOND_TIMERS,
  durationWhere,
  MAX_TIMER_MS,
  modelMillis,
  NOT_A_DURATION,
} from './durations';
import { type FuzzFiles } from './files';
import { defined, type Mutation } from './oracle';

/**
 * The options every framework adapter takes (core's `ServiceLifecycleOptions`: Fastify plugin
 * options, Nest module options): valid ones with what `resolveServiceOptions` must resolve them
 * to, and mistakes with the option path they must be blamed on (`consul.address`,
 * `service.check.interval`, `drain`...).
 */

export type AdapterInput = Record<string, unknown>;
/** Which options: the Fastify plugin's, the Nest module's, or core's `resolveServiceOptions`. */
export type Adapter = 'fastify' | 'nest' | 'core';

/** Valid adapter options; the client is created from `consul` options, or adopted (`client`). */
export interface AdapterCase {
  readonly input: AdapterInput;
}

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const duration = (accept: (ms: number) => boolean) => durationWhere(accept).map((d) => d.input);

/** Valid `closeOnSignals` values of the Fastify plugin (the other adapters have no such option). */
const SIGNAL_LISTS = [undefined, false, true, ['SIGUSR2'], ['SIGTERM', 'SIGTERM']] as const;

/** The signals a valid `closeOnSignals` makes the Fastify plugin listen to while the app is up. */
export function expectedSignals(value: unknown): string[] {
  if (value === true) return ['SIGTERM', 'SIGINT'];
  return Array.isArray(value) ? [...new Set(value as string[])] : [];
}

/** What the adapter's client must be: the adopted one, or one resolved as the client model says. */
export function expectedClientOf(input: AdapterInput, files: FuzzFiles): unknown {
  if (input.client !== undefined) return { adopted: input.client };
  const consul = input.consul as ClientInput;
  return { config: expectedClient(consul, files).config, logger: consul.logger };
}

/** The same view of the client an adapter really made or adopted. */
export function clientOf(client: Consul, input: AdapterInput): unknown {
  if (input.client !== undefined) return { adopted: client };
  const { logger, ...config } = client.options;
  return { config, logger };
}

/** Where the health route must be served, or (`healthRoute: false`) the default path that must not. */
export function expectedHealthRoute(input: AdapterInput): { url: string; served: boolean } {
  const route = input.healthRoute ?? '/health';
  return route === false
    ? { url: '/health', served: false }
    : { url: route as string, served: true };
}

const validServiceCheck = opt(
  fc.oneof(
    fc.constant(false as const),
    fc
      .record(
        {
          http: opt(fc.constantFrom(true as const, '/ready', 'http://127.0.0.1:9/h')),
          interval: opt(duration((ms) => ms >= 1_000)),
          timeout: opt(duration((ms) => ms > 0)),
          deregisterCriticalServiceAfter: opt(duration((ms) => ms >= 60_000)),
        },
        { requiredKeys: [] },
      )
      .map((c) => defined(c)),
  ),
);

const validService = fc
  .record(
    {
      name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
      id: opt(fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/)),
      tags: opt(fc.array(fc.stringMatching(/^[a-z0-9-]{1,6}$/), { maxLength: 3 })),
      meta: opt(fc.constantFrom({ team: 'a' }, { scheme: 'https' }, {})),
      address: opt(fc.constantFrom('127.0.0.1', '::1', 'web.local', '0.0.0.0')),
      port: opt(fc.integer({ min: 1, max: 65_535 })),
      weights: opt(fc.constantFrom({ passing: 3 }, { passing: 1, warning: 0 })),
      check: validServiceCheck,
      checks: opt(
        fc
          .array(validCheck, { maxLength: 2 })
          .map((list) => list.map((c, i) => (i === 0 ? c : { ...c, checkId: `extra-${i}` }))),
      ),
      deregisterCriticalServiceAfter: opt(duration((ms) => ms >= 60_000)),
    },
    { requiredKeys: ['name'] },
  )
  .map((s) => defined(s));

/** Valid adapter options; `consul` comes from the client model, or a client is adopted. */
export function validAdapterCases(
  files: FuzzFiles,
  adapter: Adapter,
  adopt: () => Consul,
): fc.Arbitrary<AdapterCase> {
  return fc
    .record(
      {
        adoptClient: fc.boolean(),
        consul: validClientCases(files),
        service: fc.oneof({ weight: 3, arbitrary: validService }, fc.constant(false as const)),
        healthRoute: opt(fc.constantFrom('/health', '/ready', '/a/b', false as const)),
        ttl: opt(
          fc.oneof(
            fc.constant(false as const),
            duration((ms) => ms >= 1_000),
          ),
        ),
        checkTimeout: opt(duration((ms) => ms > 0 && ms <= MAX_TIMER_MS)),
        drain: opt(duration((ms) => ms <= MAX_TIMER_MS)),
        deregisterTimeout: opt(duration((ms) => ms > 0 && ms <= MAX_TIMER_MS)),
        failFast: opt(fc.constant(false)),
        // Never a real probe of the network, never a handler for a signal the runner uses.
        closeOnSignals:
          adapter === 'fastify' ? fc.constantFrom(...SIGNAL_LISTS) : fc.constant(undefined),
        isGlobal: adapter === 'nest' ? opt(fc.boolean()) : fc.constant(undefined),
      },
      { requiredKeys: ['adoptClient', 'consul', 'service', 'closeOnSignals', 'isGlobal'] },
    )
    .map(({ adoptClient, consul, service, ...rest }): AdapterCase => {
      // The health-route check needs a route to probe: without one, it names a path itself.
      const check = service === false ? false : (service as Record<string, unknown>).check;
      const target = (check as { http?: unknown } | undefined)?.http;
      const needsTarget =
        rest.healthRoute === false && check !== false && (target === undefined || target === true);
      const fixedService = needsTarget
        ? { ...(service as object), check: { ...(check as object), http: '/ready' } }
        : service;
      const base = defined({ ...rest, service: fixedService });
      return {
        input: adoptClient ? { ...base, client: adopt() } : { ...base, consul: consul.input },
      };
    });
}

/**
 * What `resolveServiceOptions` must resolve valid options to (for Nest, after the module took
 * its extras `healthRoute` and `isGlobal` out).
 */
export function expectedLifecycle(options: AdapterInput): Record<string, unknown> {
  const { closeOnSignals: _signals, isGlobal: _global, ...input } = options;
  const ms = (value: unknown, fallback: number) =>
    value === undefined ? fallback : modelMillis(value);
  return {
    client:
      input.client === undefined
        ? { owned: true, options: input.consul ?? {} }
        : { owned: false, client: input.client },
    service: input.service,
    healthRoute: input.healthRoute ?? '/health',
    ttl: input.ttl === false ? undefined : input.ttl,
    checkTimeoutMs: ms(input.checkTimeout, 5_000),
    drainMs: ms(input.drain, 2_000),
    deregisterTimeoutMs: ms(input.deregisterTimeout, 5_000),
    failFast: input.failFast ?? false,
  };
}

// ---------------------------------------------------------------- mistakes

type AdapterMutation = Mutation<AdapterInput>;

const set =
  (key: string, path = key) =>
  (value: unknown): AdapterMutation => ({
    path,
    bad: value,
    apply: (base) => ({ ...base, [key]: value }),
  });

/** A service to put a mistake into: the base's own, or a plain one. */
function serviceOf(base: AdapterInput): Record<string, unknown> {
  return typeof base.service === 'object' && base.service !== null
    ? { ...(base.service as Record<string, unknown>) }
    : { name: 'web' };
}

const onService =
  (path: string, change: (service: Record<string, unknown>) => Record<string, unknown>) =>
  (): AdapterMutation => ({
    path,
    apply: (base) => ({ ...base, service: change(serviceOf(base)) }),
  });
const setService = (field: string) => (value: unknown) => ({
  ...onService(`service.${field}`, (s) => ({ ...s, [field]: value }))(),
  bad: value,
});
const setCheck =
  (field: string, path = `service.check.${field}`) =>
  (value: unknown) => ({
    ...onService(path, (s) => ({
      ...s,
      check: { ...(typeof s.check === 'object' ? (s.check as object) : {}), [field]: value },
    }))(),
    bad: value,
  });

const each = <T>(values: readonly T[], make: (v: T) => AdapterMutation) => values.map(make);

/** Mistakes in the service an adapter registers. */
function serviceMistakes(): AdapterMutation[] {
  return [
    ...each(['web', null, [], 5, undefined], set('service')),
    ...each(['', 'bad name', '-x', 42, undefined, null, '  '], setService('name')),
    ...each(['a/b', 'bad id', '', 42, null], setService('id')),
    ...each([0, -1, 70_000, 1.5, '80', null], setService('port')),
    ...each([42, true, null], setService('address')),
    ...each(['x', null], setService('tags')),
    onService('service.tags[1]', (s) => ({ ...s, tags: ['a', 3] }))(),
    onService('service.meta.consul-x', (s) => ({ ...s, meta: { 'consul-x': 'v' } }))(),
    onService('service.meta.k', (s) => ({ ...s, meta: { k: 5 } }))(),
    ...each(['x', null], setService('meta')),
    onService('service.weights.passing', (s) => ({ ...s, weights: { passing: 0 } }))(),
    onService('service.weights.warning', (s) => ({ ...s, weights: { passing: 1, warning: -1 } }))(),
    ...each(['x', null, 5, []], setService('check')),
    ...each(['', 42, null, 'ftp://x/h', 'health'], setCheck('http')),
    {
      path: 'service.check.http',
      // The default target is the health route, and there is none.
      apply: (base) => ({
        ...base,
        healthRoute: false,
        service: { ...serviceOf(base), check: { interval: '10s' } },
      }),
    },
    ...each([...NOT_A_DURATION, '500ms'], setCheck('interval')),
    ...each([...NOT_A_DURATION, 0, '0s'], setCheck('timeout')),
    ...each([...NOT_A_DURATION, '30s'], setCheck('deregisterCriticalServiceAfter')),
    ...each(['intervall', 'ttl'], (key) => setCheck(key)(1)),
    ...each(['x', {}, null], setService('checks')),
    ...CHECK_MISTAKES.map((m) =>
      onService(m.field === '' ? 'service.checks[1]' : `service.checks[1].${m.field}`, (s) => ({
        ...s,
        checks: [
          { ttl: '10s', checkId: 'first' },
          m.apply({ tcp: true, interval: '10s' } as CheckInput),
        ],
      }))(),
    ),
    ...each([...NOT_A_DURATION, '30s'], setService('deregisterCriticalServiceAfter')),
    ...each(['nam', 'taggedAddresses', 'enableTagOverride'], (key) => setService(key)(1)),
  ];
}

/** Mistakes in the lifecycle options (route, TTL, timings, client). */
function lifecycleMistakes(files: FuzzFiles, adopt: () => Consul): AdapterMutation[] {
  const inConsul = clientMutations(files).map((m): AdapterMutation => ({
    path: m.path === 'options' ? 'consul' : `consul.${m.path}`,
    apply: (base) => {
      const { client: _adopted, ...rest } = base;
      const consul = (base.consul as ClientInput | undefined) ?? { env: {} };
      return { ...rest, consul: m.apply(consul) };
    },
    bad: m.bad,
  }));
  return [
    ...each(['health', '/a b', '', 42, null, true], set('healthRoute')),
    ...each([...NOT_A_DURATION, '500ms', true], set('ttl')),
    ...each([...NOT_A_DURATION, 0, '0s', ...BEYOND_TIMERS], set('checkTimeout')),
    ...each([...NOT_A_DURATION, ...BEYOND_TIMERS], set('drain')),
    ...each([...NOT_A_DURATION, 0, ...BEYOND_TIMERS], set('deregisterTimeout')),
    ...each(['yes', 1, null], set('failFast')),
    ...each([{ close: 1 }, 'x', null, {}], (bad) => ({
      path: 'client',
      apply: (base: AdapterInput) => {
        const { consul: _options, ...rest } = base;
        return { ...rest, client: bad };
      },
    })),
    {
      path: 'client',
      apply: (base) => ({ ...base, client: adopt(), consul: base.consul ?? {} }),
    },
    ...each(['x', [], null, 5], (bad) => ({
      path: 'consul',
      apply: (base: AdapterInput) => {
        const { client: _adopted, ...rest } = base;
        return { ...rest, consul: bad };
      },
    })),
    ...inConsul,
    ...each(['colour', 'services', 'healthroute'], (key) => set(key)(1)),
  ];
}

/** Every mistake the fuzz makes in an adapter's options. */
export function adapterMutations(
  files: FuzzFiles,
  adapter: Adapter | 'core',
  adopt: () => Consul,
): AdapterMutation[] {
  const own: AdapterMutation[] =
    adapter === 'fastify'
      ? [
          ...each(['SIGTERM', 5, null, {}], set('closeOnSignals')),
          set('closeOnSignals', 'closeOnSignals[0]')(['nope']),
          set('closeOnSignals', 'closeOnSignals[1]')(['SIGTERM', 5]),
        ]
      : adapter === 'nest'
        ? // Signals are Nest's business (enableShutdownHooks): not an option of the module.
          each([false, true], set('closeOnSignals'))
        : [];
  return [...serviceMistakes(), ...lifecycleMistakes(files, adopt), ...own];
}

/** The signals the fuzz watches the Fastify plugin add and remove listeners for. */
export const WATCHED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGUSR2'] as const;

/** Listener counts of {@link WATCHED_SIGNALS}. */
export function signalListeners(): Record<string, number> {
  return Object.fromEntries(WATCHED_SIGNALS.map((s) => [s, process.listenerCount(s)]));
}

/** `counts` with one more listener for each signal of `closeOnSignals`. */
export function withSignalListeners(
  counts: Record<string, number>,
  closeOnSignals: unknown,
): Record<string, number> {
  const out = { ...counts };
  for (const signal of expectedSignals(closeOnSignals)) out[signal] = (out[signal] ?? 0) + 1;
  return out;
}
