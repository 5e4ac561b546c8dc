import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, Pool } from 'undici';
import {
  type AcquireOptions,
  type ConfigStoreOptions,
  Consul,
  ConsulOptionError,
  type ConsulHttpOptions,
  type ConsulInterceptorOptions,
  type ConsulOptions,
  createDiscoveryInterceptor,
  createStaticSource,
  type DiscoveryInterceptorOptions,
  type DiscoveryServiceOptions,
  type LeaderOptions,
  type LockOptions,
  type ManagedSessionOptions,
  type RegistrationOptions,
  roundRobin,
  type SemaphoreOptions,
  ServiceClient,
  type ServiceClientOptions,
  silentLogger,
  type WatchKeyOptions,
  type WatchOptions,
  type WatchPrefixOptions,
  type WatchQueryFn,
  type WatchServiceOptions,
} from '../../src';
import { resolveConsulOptions } from '../../src/client-options';
import { resolveServiceClientOptions } from '../../src/http/service-client-options';

/**
 * A misspelt option from JavaScript fails at construction with a `ConsulOptionError` naming it,
 * at every entry point; every documented option is accepted. The "accepted" objects are typed
 * `Required<...Options>`, so a key added to an options type without being added here (and so
 * without being proven accepted) does not compile.
 */

/** Nothing listens on port 1: a request sent would be a connection error, never a config error. */
const consul = new Consul({ address: 'http://127.0.0.1:1', logger: silentLogger, retry: false });
afterAll(() => consul.close());

const dir = mkdtempSync(path.join(tmpdir(), 'consulkit-options-'));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

/** The `ConsulOptionError` `fn` throws. */
function configError(fn: () => unknown): ConsulOptionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConsulOptionError);
    return err as ConsulOptionError;
  }
  throw new Error('expected a ConsulOptionError');
}

/** The option named by the `ConsulOptionError` `fn` throws. */
const optionOf = (fn: () => unknown): string => configError(fn).option;

/** Options as JavaScript would pass them: not checked against the TypeScript type. */
const js = <T>(options: Record<string, unknown>): T => options as T;

/** A query that waits until the watch stops it (never sends anything). */
const idle: WatchQueryFn<string> = (q) =>
  new Promise((_, reject) => q.signal.addEventListener('abort', () => reject(q.signal.reason)));

describe('a misspelt option fails at construction, naming it', () => {
  it('names the key, and shows the key rather than its value (it may be a secret)', () => {
    const err = configError(() => consul.lock('k', js({ lockdelay: 'hunter2-secret' })));
    expect(err.option).toBe('lockdelay');
    expect(err.message).toContain('lockDelay');
    expect(err.message).not.toContain('hunter2-secret');
  });

  it('fails even when the misspelt key holds undefined (an unset environment variable)', () => {
    expect(optionOf(() => consul.lock('k', js({ lockdelay: undefined })))).toBe('lockdelay');
    expect(optionOf(() => new Consul(js({ adress: undefined })))).toBe('adress');
  });

  it.each<[string, () => unknown, string]>([
    ['new Consul', () => new Consul(js({ logger: silentLogger, adress: 'h:1' })), 'adress'],
    ['new Consul tls.*', () => resolveConsulOptions(js({ tls: { caFil: 'x' } })), 'tls.caFil'],
    [
      'new Consul retry.*',
      () => resolveConsulOptions(js({ retry: { retires: 1 } })),
      'retry.retires',
    ],
    ['consul.lock', () => consul.lock('k', js({ lockdelay: '1s' })), 'lockdelay'],
    ['consul.leader', () => consul.leader('k', js({ ttll: '15s' })), 'ttll'],
    [
      'consul.leader refuses an owner signal (stop() ends it)',
      () => consul.leader('k', js({ signal: new AbortController().signal })),
      'signal',
    ],
    ['consul.semaphore', () => consul.semaphore('p', 2, js({ wait: '1s' })), 'wait'],
    [
      'consul.register',
      () => consul.register({ name: 'web', port: 1 }, js({ autostart: false })),
      'options.autostart',
    ],
    [
      'consul.discovery.service',
      () => consul.discovery.service('web', js({ tags: 'x' })),
      'options.tags',
    ],
    ['consul.watch', () => consul.watch(idle, js({ wiat: '1s' })), 'wiat'],
    ['consul.watch backoff.*', () => consul.watch(idle, js({ backoff: { mn: 1 } })), 'backoff.mn'],
    ['consul.watch with a key', () => consul.watch(idle, js({ key: 'w', dc: 'dc1' })), 'dc'],
    ['consul.watches.shared', () => consul.watches.shared('w', idle, js({ key: 'w' })), 'key'],
    ['consul.watchKey', () => consul.watchKey('k', js({ passing: true })), 'passing'],
    ['consul.watchPrefix', () => consul.watchPrefix('p/', js({ datacenter: 'dc1' })), 'datacenter'],
    ['consul.watchService', () => consul.watchService('web', js({ tags: ['a'] })), 'tags'],
    [
      'consul.config',
      () => consul.config(js<ConfigStoreOptions>({ prefix: 'app/', debounceMs: 10 })),
      'debounceMs',
    ],
    [
      'consul.config keys.<key>.*',
      () => consul.config(js<ConfigStoreOptions>({ keys: { 'db.json': { parser: 'json' } } })),
      'keys.db.json.parser',
    ],
    ['consul.http', () => consul.http('users', js({ retrys: 1 })), 'options.retrys'],
    [
      'consul.http refuses closeSource (the client owns its cache)',
      () => consul.http('users', js({ closeSource: false })),
      'options.closeSource',
    ],
    [
      'consul.http ejection.*',
      () => consul.http('users', js({ ejection: { consecutiveFailure: 2 } })),
      'ejection.consecutiveFailure',
    ],
    [
      'consul.http tls.*',
      () => consul.http('users', js({ tls: { rejectUnauthorised: false } })),
      'tls.rejectUnauthorised',
    ],
    [
      'consul.interceptor',
      () => consul.interceptor(js({ preservHost: true })),
      'options.preservHost',
    ],
    [
      'consul.interceptor refuses closeSources',
      () => consul.interceptor(js({ closeSources: false })),
      'options.closeSources',
    ],
    [
      'new ServiceClient',
      () => new ServiceClient(createStaticSource('users'), js({ timout: '1s' })),
      'timout',
    ],
    ['resolveServiceClientOptions', () => resolveServiceClientOptions(js({ pools: {} })), 'pools'],
    [
      'resolveServiceClientOptions with a prefix',
      () => resolveServiceClientOptions(js({ ejection: { maxEjected: 1 } }), 'http.'),
      'http.ejection.maxEjected',
    ],
    [
      'createDiscoveryInterceptor',
      () => createDiscoveryInterceptor(() => undefined, js({ readyTimeoutMs: 1 })),
      'readyTimeoutMs',
    ],
  ])('%s', (_, fn, option) => {
    expect(optionOf(fn)).toBe(option);
  });

  it('consul.session.renewing and acquire() reject before sending', async () => {
    await expect(consul.session.renewing(js({ lockdelay: '1s' }))).rejects.toMatchObject({
      name: 'ConsulOptionError',
      option: 'lockdelay',
    });
    await expect(consul.lock('k').acquire(js({ timout: '1s' }))).rejects.toMatchObject({
      option: 'timout',
    });
    await expect(consul.semaphore('p', 2).acquire(js({ wait: '1s' }))).rejects.toMatchObject({
      option: 'wait',
    });
    await expect(consul.withLock('k', () => 1, js({ lockdelay: '1s' }))).rejects.toMatchObject({
      option: 'lockdelay',
    });
  });

  it('nothing is left running after a refused watch or cache', () => {
    expect(consul.watches.size).toBe(0);
    expect(consul.discovery.size).toBe(0);
  });
});

describe('every documented option is accepted', () => {
  const signal = new AbortController().signal;

  it('new Consul (tls and retry included)', () => {
    const tls: Required<Exclude<ConsulOptions['tls'], boolean | undefined>> = {
      ca: 'ca-pem',
      caFile: file('ca.pem', 'ca-pem'),
      cert: 'cert-pem',
      certFile: file('cert.pem', 'cert-pem'),
      key: 'key-pem',
      keyFile: file('key.pem', 'key-pem'),
      servername: 'consul.local',
      rejectUnauthorized: true,
    };
    const retry: Required<Exclude<ConsulOptions['retry'], false | undefined>> = {
      retries: 1,
      minDelay: '10ms',
      maxDelay: '1s',
    };
    const dispatcher = new Agent();
    const options: Required<ConsulOptions> = {
      address: 'https://127.0.0.1:1',
      token: 'token',
      tokenFile: file('token', 'token'),
      datacenter: 'dc1',
      namespace: 'ns',
      partition: 'part',
      tls,
      timeout: '5s',
      retry,
      logger: silentLogger,
      dispatcher,
      connections: 2,
      maxLongPolls: 4,
      env: {},
    };
    expect(resolveConsulOptions(options).retry.retries).toBe(1);
    void dispatcher.close();
  });

  it('consul.lock, consul.leader, consul.semaphore and acquire()', async () => {
    const lock: Required<LockOptions> = {
      ttl: '15s',
      lockDelay: '1s',
      value: 'me',
      session: 'a-session-id',
      sessionName: 'jobs',
      monitorRetries: 3,
      goCompatible: true,
      nodeChecks: ['serfHealth'],
      serviceChecks: ['service:web'],
      livenessCheck: true,
      lockWait: '1s',
      signal,
    };
    expect(consul.lock('jobs', lock).key).toBe('jobs/.lock');
    const { session: _session, signal: _signal, ...leader } = lock;
    const leaderOptions: Required<LeaderOptions> = leader;
    expect(consul.leader('jobs', leaderOptions).key).toBe('jobs/.lock');
    const semaphore: Required<SemaphoreOptions> = {
      ttl: '15s',
      value: 'me',
      sessionName: 'encoders',
      monitorRetries: 3,
      semaphoreWait: '1s',
      livenessCheck: false,
    };
    expect(consul.semaphore('encoders', 2, semaphore).limit).toBe(2);
    // An aborted signal ends the attempt before anything is sent.
    const acquire: Required<AcquireOptions> = { signal: AbortSignal.abort(), timeout: '1s' };
    await expect(consul.lock('k').acquire(acquire)).rejects.toMatchObject({
      name: 'ConsulAbortedError',
    });
  });

  it('consul.session.renewing (fails only on the unreachable agent)', async () => {
    const options: Required<ManagedSessionOptions> = {
      ttl: '15s',
      lockDelay: '1s',
      name: 'worker',
      behavior: 'delete',
      node: 'node-1',
      nodeChecks: [],
      serviceChecks: ['service:web'],
      livenessCheck: false, // true cannot be combined with `node`
      signal,
    };
    const failure = await consul.session.renewing(options).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ConsulOptionError);
  });

  it('consul.watch, watches.shared, watchKey, watchPrefix and watchService', async () => {
    const loop = {
      wait: '1s',
      stale: true,
      cached: true,
      minInterval: 0,
      burst: 1,
      backoff: { min: '1s', max: '2s' },
      equals: () => false,
      signal,
      emitInitial: false,
    };
    const watch: Required<WatchOptions<string>> = { ...loop, consistent: false, key: 'all' };
    const kv: Required<WatchKeyOptions> = { ...loop, consistent: false, dc: 'dc1' };
    const service: Required<WatchServiceOptions> = {
      ...kv,
      equals: () => false,
      passing: false,
      tag: ['v2'],
      filter: 'Service.Port > 0',
      near: '_agent',
    };
    const prefix: Required<WatchPrefixOptions> = { ...kv, equals: () => false };
    const watches = [
      consul.watch(idle, watch),
      consul.watch(idle, {
        ...watch,
        key: undefined,
        stale: false,
        cached: false,
        consistent: true,
      }),
      consul.watches.shared('shared', idle, { ...loop, consistent: false }),
      consul.watchKey('k', kv),
      consul.watchPrefix('p/', prefix),
      consul.watchService('web', service),
    ];
    // Every option accepted: no watch stopped on a bad option.
    expect(watches.filter((w) => w.stopped)).toEqual([]);
    await Promise.all(watches.map((w) => w.stop()));
    expect(watches.every((w) => w.stopped)).toBe(true);
  });

  it('consul.config (keys.<key> included)', async () => {
    const options: Required<ConfigStoreOptions> = {
      prefix: 'app/',
      layers: ['shared/'],
      keys: { 'db.json': { parse: 'json', default: { port: 1 } } },
      format: 'auto',
      schema: (values) => values,
      debounce: 10,
      maxDelay: 100,
      optional: true,
      watch: false,
      wait: '1s',
      stale: true,
    };
    let store: { close(): Promise<void> } | undefined;
    expect(() => (store = consul.config(options))).not.toThrow();
    await store?.close();
  });

  it('consul.discovery.service and consul.register', () => {
    const discovery: Required<DiscoveryServiceOptions> = {
      tag: 'v2',
      dc: 'dc1',
      passingOnly: false,
      filter: 'Service.Port > 0',
      near: '_agent',
      stale: true,
      cached: true,
      wait: '1s',
    };
    consul.discovery.service('web', discovery).close();
    const registration: Required<RegistrationOptions> = {
      health: () => true,
      heartbeatInterval: '1s',
      reconcile: false,
      deregisterCriticalServiceAfter: '1m',
      defaultTtl: '10s',
      autoStart: false,
      deregisterOnClose: false,
    };
    const reg = consul.register({ name: 'web', port: 1, check: { ttl: '10s' } }, registration);
    expect(reg).toBeDefined();
  });

  it('consul.http, new ServiceClient and resolveServiceClientOptions (ejection, tls included)', async () => {
    const client: Required<Omit<ServiceClientOptions, 'closeSource' | 'failover'>> = {
      balancer: roundRobin(),
      retries: 1,
      timeout: '1s',
      retryNonIdempotent: true,
      retryStatuses: [503],
      ejection: {
        consecutiveFailures: 2,
        baseEjectionTime: '1s',
        maxEjectionTime: '10s',
        maxEjectedPercent: 30,
      },
      tls: {
        ca: 'ca-pem',
        cert: 'cert-pem',
        key: 'key-pem',
        servername: 'users.local',
        rejectUnauthorized: true,
      },
      connections: 2,
      pool: { pipelining: 1 },
      factory: (origin) => new Pool(origin),
    };
    const discovery: Required<DiscoveryServiceOptions> = {
      tag: 'v2',
      dc: 'dc1',
      passingOnly: true,
      filter: 'Service.Port > 0',
      near: '_agent',
      stale: true,
      cached: true,
      wait: '1s',
    };
    const http: Required<ConsulHttpOptions> = { ...client, ...discovery, failover: ['dc1'] };
    await consul.http('users', http).close();
    const full: Required<ServiceClientOptions> = {
      ...client,
      closeSource: true,
      failover: [createStaticSource('users')],
    };
    await new ServiceClient(createStaticSource('users'), full).close();
    expect(resolveServiceClientOptions({ ...full, balancer: roundRobin() }).retries).toBe(1);
  });

  it('consul.interceptor and createDiscoveryInterceptor', () => {
    const interceptor: Required<DiscoveryInterceptorOptions> = {
      match: (host) => host,
      balancer: () => roundRobin(),
      preserveHost: false,
      redispatch: false,
      ejection: false,
      readyTimeout: '1s',
      closeSources: true,
      logger: silentLogger,
    };
    // Every option accepted: neither factory throws an unknown- or bad-option error.
    expect(() => createDiscoveryInterceptor(() => undefined, interceptor).close()).not.toThrow();
    const { closeSources: _closeSources, ...rest } = interceptor;
    const options: Required<ConsulInterceptorOptions> = { ...rest, discovery: { tag: 'v2' } };
    expect(() => consul.interceptor(options).close()).not.toThrow();
  });
});
