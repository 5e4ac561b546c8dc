/**
 * The README's code, compiled and run. Every block of packages/core/README.md preceded by
 * `<!-- snippet: NAME -->` is, below its import lines, exactly the dedented `// #region NAME` of
 * this file; its imports must be imported here from the same module (`@consulkit/core` being
 * `../src`). This file is type-checked with the other tests (`npm run typecheck`), the regions run
 * against a real agent, and the first test fails as soon as the README and this file drift apart.
 * To change a snippet, edit the region here and copy it into the README (indentation removed).
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { checkStatus, useConsulAgent } from '@consulkit/testing';
import { HealthImplementation } from 'grpc-health-check';
import { Agent, request } from 'undici';
import {
  Consul,
  ConsulConflictError,
  ConsulError,
  ConsulNoInstanceError,
  ConsulSessionExpiredError,
  ConsulTlsError,
  DIAGNOSTIC_CHANNELS,
  ServiceClient,
  consistentHash,
  createDnsSource,
  p2c,
  type ConfigChange,
  type ConsulLockError,
  type HeldLock,
  type RegistrationMessage,
  type WatchErrorInfo,
} from '../src';
import { useAgent } from './support/agent';
import { waitFor } from './support/coordination';

// ---------------------------------------------------------------------------------------------
// The README/region comparison

const README = path.join(__dirname, '..', 'README.md');
const IMPORT_RE = /^import\s+([\s\S]*?)\s+from\s+'([^']+)';$/gm;

/** `{ name: code }` of every `// #region name` ... `// #endregion name` of this file, dedented. */
function regions(source: string): Map<string, string> {
  const found = new Map<string, string>();
  const re = /^[ \t]*\/\/ #region ([\w-]+)\n([\s\S]*?)^[ \t]*\/\/ #endregion \1$/gm;
  for (const [, name, body] of source.matchAll(re))
    found.set(name as string, dedent(body as string));
  return found;
}

function dedent(text: string): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut).trimEnd()).join('\n');
}

/** `{ name: { imports, code } }` of every README block marked `<!-- snippet: name -->`. */
function readmeSnippets(markdown: string): Map<string, { imports: string; code: string }> {
  const found = new Map<string, { imports: string; code: string }>();
  const re = /<!-- snippet: ([\w-]+) -->\n```ts\n((?:(?!```)[\s\S])*?)\n?```/g;
  for (const [, name, block] of markdown.matchAll(re)) {
    const text = block as string;
    const imports = [...text.matchAll(IMPORT_RE)].map((m) => m[0]).join('\n');
    const code = text
      .replace(IMPORT_RE, '')
      .replace(/^\s*\n/, '')
      .trimEnd();
    found.set(name as string, { imports, code });
  }
  return found;
}

/** Names imported per module: `import { a, type B } from 'm'` → `m: [a, B]` (defaults too). */
function importedNames(code: string): Map<string, Set<string>> {
  const byModule = new Map<string, Set<string>>();
  for (const [, clause, from] of code.matchAll(IMPORT_RE)) {
    const names = byModule.get(from as string) ?? new Set<string>();
    const [defaultPart, named] = (clause as string).split('{');
    const defaultName = defaultPart?.replace(',', '').trim();
    if (defaultName) names.add(`default as ${defaultName}`);
    for (const spec of (named ?? '').replace('}', '').split(',')) {
      const name = spec.replace(/^\s*type\s+/, '').trim();
      if (name) names.add(name.replace(/\s+/g, ' '));
    }
    byModule.set(from as string, names);
  }
  return byModule;
}

describe('README snippets', () => {
  it('the README code blocks are the regions of this file, imports included', () => {
    const source = readFileSync(__filename, 'utf8');
    const ours = regions(source);
    const ourImports = importedNames(source);
    const readme = readmeSnippets(readFileSync(README, 'utf8'));
    expect([...readme.keys()].sort()).toEqual([...ours.keys()].sort());
    expect(readme.size).toBeGreaterThanOrEqual(15);
    for (const [name, { imports, code }] of readme) {
      expect({ name, code }).toEqual({ name, code: ours.get(name) });
      for (const [from, names] of importedNames(imports)) {
        const here = ourImports.get(from === '@consulkit/core' ? '../src' : from) ?? new Set();
        expect({ name, from, missing: [...names].filter((n) => !here.has(n)) }).toEqual({
          name,
          from,
          missing: [],
        });
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Backends the discovery snippets call: two instances each of `users` and `images`

interface Backend {
  readonly name: string;
  readonly port: number;
  readonly server: HttpServer;
}

async function startBackend(name: string): Promise<Backend> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-served-by', name);
    res.end(JSON.stringify({ id: req.url?.split('/').pop(), servedBy: name }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { name, port: (server.address() as AddressInfo).port, server };
}

describe('README snippets against a real agent', () => {
  const fx = useAgent();
  const backends: Backend[] = [];

  beforeAll(async () => {
    backends.push(await startBackend('a'), await startBackend('b'));
    const setup = fx.client();
    const registrations = backends.flatMap((b) =>
      ['users', 'images'].map((name) =>
        setup.register({
          name,
          id: `${name}-${b.name}`,
          address: '127.0.0.1',
          port: b.port,
          tags: ['v2'],
        }),
      ),
    );
    await Promise.all(registrations.map((r) => r.registered));
  });

  afterAll(async () => {
    await Promise.all(
      backends.map((b) => new Promise<void>((resolve) => b.server.close(() => resolve()))),
    );
  });

  it('quick start: new Consul() from the environment, KV, register, discovery-backed call', async () => {
    const saved = { ...process.env };
    process.env.CONSUL_HTTP_ADDR = fx.agent.address;
    for (const name of ['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_TOKEN_FILE', 'CONSUL_HTTP_SSL']) {
      delete process.env[name];
    }
    try {
      // #region quick-start
      const consul = new Consul(); // CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN... else 127.0.0.1:8500

      // KV
      await consul.kv.put('config/hello/greeting', 'Hello');
      const greeting = await consul.kv.get('config/hello/greeting'); // greeting?.value === 'Hello'

      // A service registers itself once it really listens (a TTL check this process keeps passing)
      const server = createServer((req, res) => res.end(`${greeting?.value} from ${req.url}`));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const registration = consul.register({ name: 'hello', address: '127.0.0.1', port });
      await registration.registered;

      // Anyone calls it through discovery: healthy instances, load-balanced, retried elsewhere
      const hello = consul.http('hello');
      const res = await hello.get('/world');
      const text = await res.body.text(); // 'Hello from /world'

      await consul.close(); // deregisters, stops watches, closes connection pools
      server.close();
      // #endregion quick-start

      expect(greeting?.value).toBe('Hello');
      expect(res.statusCode).toBe(200);
      expect(text).toBe('Hello from /world');
      expect(registration.status).toBe('deregistered');
      const left = await fx.client().health.service('hello');
      expect(left).toHaveLength(0);
    } finally {
      process.env = saved;
    }
  });

  it('client options: address list, token, timeouts, retries, logger', async () => {
    // #region options
    const consul = new Consul({
      address: ['127.0.0.1:8500', 'unix:///var/run/consul/http.sock'], // next on connection failure
      token: process.env.MY_CONSUL_TOKEN, // undefined: CONSUL_HTTP_TOKEN_FILE, CONSUL_HTTP_TOKEN
      datacenter: 'dc1',
      timeout: '5s', // non-blocking calls; a blocking query gets wait + wait/16 + timeout
      retry: { retries: 5, minDelay: '200ms', maxDelay: '5s' },
      logger: console, // anything with debug/info/warn/error(message, context)
    });
    // #endregion options
    expect(consul.options.endpoints.map((e) => e.display)).toEqual([
      'http://127.0.0.1:8500',
      'unix:///var/run/consul/http.sock',
    ]);
    expect(consul.options.timeoutMs).toBe(5_000);
    expect(consul.options.retry).toEqual({ retries: 5, minDelayMs: 200, maxDelayMs: 5_000 });
    expect(() => new Consul({ retry: { maxDelay: '5 seconds' } })).toThrow(
      expect.objectContaining({ option: 'retry.maxDelay', code: 'CONSUL_CONFIG' }),
    );
    await consul.close();
  });

  it('per-call options, metadata and blocking reads', async () => {
    const consul = fx.client();
    // #region query-options
    const first = await consul.health.service('users', { passing: true, stale: true });
    // first.meta: index, knownLeader, lastContact, cacheHit, cacheAge, effectiveConsistency...
    const next = await consul.health.service('users', {
      passing: true,
      index: first.meta.index, // a blocking query: answers on a change or after `wait`
      wait: '1s',
      signal: AbortSignal.timeout(5_000),
    });
    // #endregion query-options
    expect(first).toHaveLength(2);
    expect(first.meta.index).toBeGreaterThan(0);
    expect(next.meta.index).toBeGreaterThanOrEqual(first.meta.index);
    expect(Object.keys(first[0] as object)).not.toContain('meta');
  });

  it('errors: typed, with a stable code and retryable', async () => {
    const consul = fx.client();
    // #region errors
    const sessionId = await consul.session.create({ ttl: '10s' });
    await consul.session.destroy(sessionId);
    let outcome: string;
    try {
      await consul.session.renew(sessionId);
      outcome = 'renewed';
    } catch (err) {
      if (err instanceof ConsulSessionExpiredError) outcome = 'gone: create a new session';
      else if (err instanceof ConsulError && err.retryable) outcome = `retry later (${err.code})`;
      else throw err; // ConsulAclError, ConsulBadRequestError...: fix the token or the call
    }
    // #endregion errors
    expect(outcome).toBe('gone: create a new session');
  });

  it('KV: get/put, CAS, bigint flags, list, keys, delete', async () => {
    const consul = fx.client();
    // #region kv
    await consul.kv.put('config/hello/timeout', '3s');
    const entry = await consul.kv.get('config/hello/timeout'); // undefined when missing
    // entry.value '3s' (UTF-8 text), entry.rawValue (Buffer), entry.modifyIndex, entry.meta.index

    // Check-and-set resolves false (not an error) when the condition does not hold
    const updated = await consul.kv.put('config/hello/timeout', '5s', { cas: entry?.modifyIndex });
    const created = await consul.kv.put('config/hello/timeout', '9s', { cas: 0 }); // 0: if absent

    // Flags are a uint64, hence a bigint: Go's lock flag survives the round trip intact
    await consul.kv.put('config/hello/owner', 'jobs-1', { flags: 0x2ddccbc058a50c18n });
    const owner = await consul.kv.get('config/hello/owner'); // owner.flags: 3304740253564472344n

    const entries = await consul.kv.list('config/hello/'); // KvEntry[], [] when none
    const folders = await consul.kv.keys('config/', { separator: '/' }); // ['config/hello/', ...]
    await consul.kv.delete('config/hello/owner', { cas: owner?.modifyIndex });
    await consul.kv.delete('config/hello/', { recurse: true });
    // #endregion kv
    expect(entry?.value).toBe('3s');
    expect(entry?.rawValue).toEqual(Buffer.from('3s'));
    expect([updated, created]).toEqual([true, false]);
    expect(owner?.flags).toBe(3304740253564472344n);
    expect(entries.map((e) => e.key)).toEqual(
      expect.arrayContaining(['config/hello/owner', 'config/hello/timeout']),
    );
    expect(folders).toContain('config/hello/');
    expect(await consul.kv.list('config/hello/')).toEqual([]);
  });

  it('transactions: all or nothing, typed rollback', async () => {
    const consul = fx.client();
    // #region txn
    const order = { id: 42, state: 'new' };
    const { results } = await consul.txn([
      { verb: 'check-not-exists', key: 'orders/42' }, // the whole transaction fails if it exists
      { verb: 'set', key: 'orders/42', value: JSON.stringify(order) },
      { verb: 'set', key: 'orders/latest', value: '42', flags: 1n },
      { verb: 'get', key: 'orders/42' },
    ]);
    // results: a KvEntry per operation that yields one, in order; the last one is orders/42

    let conflict: ConsulConflictError | undefined;
    try {
      await consul.txn([
        { verb: 'check-not-exists', key: 'orders/42' },
        { verb: 'delete', key: 'orders/latest' },
      ]);
    } catch (err) {
      if (!(err instanceof ConsulConflictError)) throw err;
      conflict = err; // rolled back: conflict.errors[0].opIndex === 0, nothing was deleted
    }
    // #endregion txn
    expect(results.at(-1)?.value).toBe(JSON.stringify(order));
    expect(results.map((r) => r.key)).toEqual(
      expect.arrayContaining(['orders/42', 'orders/latest']),
    );
    expect(conflict?.errors[0]?.opIndex).toBe(0);
    expect((await consul.kv.get('orders/latest'))?.flags).toBe(1n);
  });

  it('watches: consul.watch, shortcuts, sharing, async iteration', async () => {
    const consul = fx.client();
    const shown: Array<string | null | undefined> = [];
    const render = (value: string | null | undefined) => shown.push(value);
    const failures: Array<[Error, WatchErrorInfo]> = [];
    const reportOutage = (err: Error, info: WatchErrorInfo) => failures.push([err, info]);
    await consul.kv.put('config/hello/greeting', 'Hello');
    const later = setTimeout(() => void consul.kv.put('config/hello/ready', 'yes'), 300);

    // #region watch
    // Any blocking read: the query function receives { index, wait, signal, onMeta, ... }
    const greeting = consul.watch((q) => consul.kv.get('config/hello/greeting', q));
    greeting.on('change', (entry) => render(entry?.value)); // first value, then real changes
    greeting.on('error', (err, info) => reportOutage(err, info)); // the last value stays
    await greeting.ready();

    // Shortcuts, shared per query: both watches below use one long poll
    const a = consul.watchKey('config/hello/greeting');
    const b = consul.watchKey('config/hello/greeting', { emitInitial: false });
    const users = await consul.watchService('users', { tag: 'v2' }).ready(); // ServiceEntry[]

    // Or iterate: the current value, then each change (the newest, if you are slower)
    for await (const entries of consul.watchPrefix('config/hello/', { stale: true })) {
      if (entries.some((e) => e.key === 'config/hello/ready')) break; // also stops the watch
    }
    // #endregion watch
    clearTimeout(later);

    expect(a.stats.subscribers).toBe(2);
    expect(b.current?.value).toBe('Hello');
    expect(users.map((u) => u.service.port).sort()).toEqual(backends.map((x) => x.port).sort());
    await consul.kv.put('config/hello/greeting', 'Bonjour');
    await waitFor(() => shown.includes('Bonjour'));
    expect(shown).toEqual(['Hello', 'Bonjour']);
    expect(failures).toEqual([]);
    await Promise.all([greeting.stop(), a.stop(), b.stop()]);
    expect(greeting.stopped).toBe(true);
  });

  it('registration: definition, check shorthands, TTL health, drain and deregister', async () => {
    const consul = fx.client();
    const db = { ping: async () => true };

    // #region registration
    const registration = consul.register(
      {
        name: 'web',
        port: 3000, // register once the server really listens on it
        address: '127.0.0.1', // default: the host's first non-internal IPv4
        tags: ['v2'],
        meta: { version: '2.1.0' },
        checks: [
          { http: '/health', interval: '5s', timeout: '2s' }, // http://127.0.0.1:3000/health
          { ttl: '10s' }, // kept alive by this process, reporting `health` below
        ],
      },
      {
        health: async () => (await db.ping()) || { status: 'critical', output: 'db unreachable' },
        deregisterCriticalServiceAfter: '2m', // a crashed instance leaves the catalog
      },
    );
    registration.on('reregistered', ({ reason }) => console.warn(`re-registered: ${reason}`));
    await registration.registered;
    // registration.id: 'web-<host>-3000-<random>'; registration.checkIds: [`${id}:http`, `${id}:ttl`]

    // On shutdown: leave ?passing results, give consumers' watches time to notice, deregister
    await registration.maintenance(true, 'shutting down');
    await sleep(1_000);
    await registration.deregister({ timeout: '5s' }); // bounded: never hangs the shutdown
    // #endregion registration

    const id = registration.id;
    expect(id).toMatch(/^web-.+-3000-[0-9a-f]+$/);
    expect(registration.checkIds).toEqual([`${id}:http`, `${id}:ttl`]);
    expect(registration.status).toBe('deregistered');
    expect(await consul.agent.service(id)).toBeUndefined();
  });

  it('registration with gRPC checks: grpc.health.v1 statuses become check statuses', async () => {
    const consul = fx.client();

    // #region registration-grpc
    // A gRPC server answering grpc.health.v1 (here grpc-health-check's implementation)
    const health = new HealthImplementation({ '': 'SERVING', 'users.v1.Users': 'SERVING' });
    const server = new Server();
    health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );

    const api = consul.register({
      name: 'users-api',
      address: '127.0.0.1',
      port,
      checks: [
        { grpc: true, interval: '5s' }, // 127.0.0.1:<port>: the whole server's status ('')
        { grpc: `127.0.0.1:${port}/users.v1.Users`, interval: '5s', checkId: 'users-api:users' },
        // over TLS: { grpc: ..., grpcUseTls: true, tlsSkipVerify: true /* self-signed */ }
      ],
    });
    await api.registered; // each check passing from its first probe that sees SERVING

    health.setStatus('users.v1.Users', 'NOT_SERVING'); // its check: critical at the next probe
    // #endregion registration-grpc

    const whole = `${api.id}:grpc`;
    // A 5 s interval (and the agent's random first delay up to it): 30 s leaves room.
    const settle = { timeout: 30_000, interval: 250 };
    try {
      // Checks start critical: the output proves a probe saw NOT_SERVING.
      const users = await waitFor(
        async () => (await consul.agent.checks())['users-api:users'],
        (c) => c?.output.includes("didn't report service healthy") === true,
        settle,
      );
      expect(users?.status).toBe('critical');
      await waitFor(
        async () => checkStatus(consul, 'users-api', whole),
        (s) => s === 'passing',
        settle,
      );
      await api.deregister({ timeout: '5s' });
      expect(await consul.agent.service(api.id)).toBeUndefined();
    } finally {
      server.forceShutdown();
    }
  });

  it('discovery cache', async () => {
    const consul = fx.client();
    const changes: number[] = [];
    const rebalance = (count: number) => changes.push(count);
    const errors: Error[] = [];
    const logOutage = (err: Error) => errors.push(err);

    // #region discovery
    const users = consul.discovery.service('users', { tag: 'v2' }); // passing instances only
    await users.ready();
    const instances = users.instances(); // [{ id, address, port, tags, meta, weights, status, ... }]
    users.on('change', (list) => rebalance(list.length)); // only when the set really changed
    users.on('error', logOutage); // Consul unreachable: instances() still serves the last good list
    // users.healthy, users.lastUpdated, users.staleness(): 0 while healthy, else ms since the last answer
    // #endregion discovery

    expect(instances.map((i) => i.port).sort()).toEqual(backends.map((b) => b.port).sort());
    expect(instances.every((i) => i.status === 'passing' && i.tags.includes('v2'))).toBe(true);
    expect(users.healthy).toBe(true);
    expect(users.staleness()).toBe(0);
    expect([changes, errors]).toEqual([[], []]);
    users.close();
  });

  it('discovery-backed HTTP client and balancers', async () => {
    const consul = fx.client();

    // #region http
    const users = consul.http('users', {
      balancer: p2c(), // default roundRobin()
      retries: 2, // extra attempts of idempotent calls, each on a different instance
      timeout: '3s', // one deadline for the whole call, response body included
      ejection: { consecutiveFailures: 3, baseEjectionTime: '10s' },
      tag: 'v2', // discovery options ride along: tag, dc, passingOnly, filter, near...
    });
    const { statusCode, body } = await users.get('/users/1');
    const user = await body.json(); // always consume (or dump) the body

    const invoices = await consul
      .http('billing')
      .get('/invoices')
      .catch((err: unknown) => {
        if (err instanceof ConsulNoInstanceError) return undefined; // no healthy, non-ejected instance
        throw err; // ConsulTimeoutError (deadline), or the last attempt's undici error
      });
    // #endregion http

    expect(statusCode).toBe(200);
    expect(user).toEqual({ id: '1', servedBy: expect.stringMatching(/^[ab]$/) });
    expect(invoices).toBeUndefined();

    // #region balancers
    // Cache affinity: the same path goes to the same instance while the instance set is stable
    const images = consul.http('images', { balancer: consistentHash((ctx) => ctx.request?.path) });
    const one = await images.get('/img/cat.png');
    const two = await images.get('/img/cat.png');
    await Promise.all([one.body.dump(), two.body.dump()]);
    // one.headers['x-served-by'] === two.headers['x-served-by']
    // #endregion balancers
    expect(one.headers['x-served-by']).toBe(two.headers['x-served-by']);
    for (let i = 0; i < 5; i++) {
      const again = await images.get('/img/cat.png');
      await again.body.dump();
      expect(again.headers['x-served-by']).toBe(one.headers['x-served-by']);
    }
  });

  it('undici interceptor', async () => {
    const consul = fx.client();
    // #region interceptor
    const dispatcher = new Agent().compose(consul.interceptor());
    // http://<service>/… and http://[<tag>.]<service>.service[.<dc>].consul/… resolve through
    // discovery (that tag, that datacenter); IP addresses, other dotted names, localhost, hosts with
    // an explicit port and single names the catalog does not list pass through untouched
    const { statusCode, body } = await request('http://users/users/7', { dispatcher });
    const user = await body.json();
    await dispatcher.close();
    // #endregion interceptor
    expect(statusCode).toBe(200);
    expect(user).toEqual({ id: '7', servedBy: expect.stringMatching(/^[ab]$/) });
  });

  it('discovery over Consul DNS', async () => {
    const dnsPort = fx.agent.dnsPort;
    // #region dns
    // The agent's DNS address (its `ports { dns }`, 8600 by default), always given explicitly
    const usersOverDns = createDnsSource('users', {
      server: `127.0.0.1:${dnsPort}`,
      cacheTtl: 1_000,
    });
    const viaDns = new ServiceClient(usersOverDns, { retries: 2, closeSource: true });
    const { statusCode, body } = await viaDns.get('/users/9');
    const user = await body.json();
    await viaDns.close(); // closes the DNS source too (closeSource)
    // #endregion dns
    expect(statusCode).toBe(200);
    expect(user).toEqual({ id: '9', servedBy: expect.stringMatching(/^[ab]$/) });
  });

  it('KV config store: layers, formats, provenance, schema, change events, last good value', async () => {
    const consul = fx.client();
    await consul.kv.put('config/shared/limits', '{"rps": 50}');
    await consul.kv.put('config/shared/timeout', '30s');
    await consul.kv.put('config/web/timeout', '10s');
    const applied: Array<{ rps: number } | undefined> = [];
    const limiter = { reset: (limits: { rps: number } | undefined) => applied.push(limits) };
    const logged: string[] = [];
    const log = (changes: readonly ConfigChange[]) => logged.push(...changes.map((c) => c.key));
    const rejected: Error[] = [];
    const alert = (err: Error) => rejected.push(err);

    // #region config
    interface WebConfig {
      timeout: number;
      limits: { rps: number };
    }
    const config = consul.config<WebConfig>({
      layers: ['config/web/', 'config/shared/'], // the first layer that has a key wins
      keys: {
        timeout: { parse: 'duration', default: 3_000 }, // '1m30s' → 90000
        limits: { parse: 'json', default: { rps: 100 } },
      },
      format: 'auto', // every other key: by extension (.json, .yaml, .yml), else text
      schema: (values) => {
        if (Number(values.timeout) > 60_000) throw new Error('timeout must be at most 60s');
      },
      debounce: '100ms', // writes that arrive closer together: one snapshot
    });
    const snapshot = await config.ready(); // frozen values, their sources, a version
    const timeout = config.get('timeout'); // number: 10000 from config/web/timeout
    const from = config.source('limits'); // 'config/shared/limits'
    config.onKey<{ rps: number }>('limits', (limits) => limiter.reset(limits));
    config.on('change', (changes) => log(changes)); // [{ key, previous, value, source, ... }]
    config.on('error', alert); // a bad value keeps that key's last good value; a schema failure, the snapshot
    // #endregion config

    expect(timeout).toBe(10_000);
    expect(from).toBe('config/shared/limits');
    expect(snapshot.values.limits).toEqual({ rps: 50 });
    expect(snapshot.sources.timeout).toBe('config/web/timeout');

    await consul.kv.put('config/shared/limits', '{"rps": 75}');
    await waitFor(() => applied.length > 0);
    expect(applied).toEqual([{ rps: 75 }]);
    expect(logged).toEqual(['limits']);

    await consul.kv.put('config/web/timeout', '2m'); // the schema refuses it
    await waitFor(() => rejected.length > 0);
    expect(rejected[0]).toMatchObject({ code: 'CONSUL_CONFIG_INVALID', key: 'timeout' });
    expect(config.get('timeout')).toBe(10_000);

    await consul.kv.delete('config/web/timeout'); // falls back to the next layer
    await waitFor(() => config.get('timeout') === 30_000);
    expect(config.source('timeout')).toBe('config/shared/timeout');
    await config.close();
  });

  it('locks: fencing token, txn guard, withLock', async () => {
    const consul = fx.client();
    const tokens: number[] = [];
    const writeReport = async ({ fencingToken }: { signal: AbortSignal; fencingToken: number }) => {
      tokens.push(fencingToken);
    };
    const exportRows = async (signal: AbortSignal, fencingToken: number) => {
      tokens.push(fencingToken);
      return signal.aborted ? 0 : 3;
    };

    // #region lock
    const lock = consul.lock('jobs/nightly-report', { ttl: '15s', lockDelay: '5s' });
    const held = await lock.acquire({ timeout: '30s' });
    try {
      // held.signal aborts if the lock is lost; held.fencingToken grows with every new holder
      await writeReport({ signal: held.signal, fencingToken: held.fencingToken });
      // Inside Consul, guard writes with the lock itself: rolled back (409) once it is lost
      await consul.txn([held.check(), { verb: 'set', key: 'reports/nightly', value: 'done' }]);
    } finally {
      await held.release(); // a release (unlike a loss) lets the next holder in at once
    }

    // Scoped: acquired, released afterwards (also on a throw); `signal` aborts on loss
    const rows = await consul.withLock(
      'jobs/nightly-report',
      (signal, { fencingToken }) => exportRows(signal, fencingToken),
      { timeout: '30s' },
    );
    // #endregion lock

    expect(held.signal.aborted).toBe(true);
    expect((held.signal.reason as ConsulLockError).reason).toBe('released');
    expect(rows).toBe(3);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBeGreaterThan(tokens[0] as number);
    expect((await consul.kv.get('reports/nightly'))?.value).toBe('done');
    expect((await consul.kv.get('jobs/nightly-report'))?.session).toBeUndefined();
  });

  it('leader election', async () => {
    const consul = fx.client();
    const events: string[] = [];
    const scheduler = {
      start: (signal: AbortSignal, token: number) =>
        events.push(`start ${token} ${signal.aborted}`),
      stop: (reason: string) => events.push(`stop ${reason}`),
    };

    // #region leader
    const election = consul.leader('jobs/leader', { ttl: '15s', value: hostname() });
    election.on('elected', (held) => scheduler.start(held.signal, held.fencingToken));
    election.on('revoked', (err) => scheduler.stop(err.reason)); // 'released', 'session-invalidated'...
    const elected = new Promise<HeldLock>((resolve) => election.once('elected', resolve));
    election.start(); // campaigns until stop(), again after every loss
    const leadership = await elected;
    const current = await election.leader(); // any process can ask: { session, value: hostname }
    await election.stop(); // on shutdown: releases, so the next leader needs no lock-delay
    // #endregion leader

    expect(current).toEqual({ session: leadership.session, value: hostname() });
    expect(events).toEqual([`start ${leadership.fencingToken} false`, 'stop released']);
    expect(election.isLeader).toBe(false);
  });

  it('leader election bound to a health check for a fast handover', async () => {
    const consul = fx.client();
    // #region leader-checks
    const registration = consul.register({ name: 'jobs', port: 8080 }); // with a 10s TTL check
    await registration.registered;
    const election = consul
      .leader('jobs/leader', { serviceChecks: registration.checkIds, lockDelay: '5s' })
      .start();
    // #endregion leader-checks
    await waitFor(() => election.isLeader);
    const info = await consul.session.info(election.leadership?.session as string);
    const bound = info?.serviceChecks.map((c) => c.id) ?? [];
    // The registration's check, then the election's own liveness check (on by default).
    expect(bound.slice(0, -1)).toEqual(registration.checkIds);
    expect(bound.at(-1)).toMatch(/^consulkit-session-[0-9a-f]{8}:ttl$/);
    expect(info?.lockDelay).toBe(5_000);
    await election.stop();
    await registration.deregister();
  });

  it('semaphore and managed session', async () => {
    const consul = fx.client();
    const encoded: boolean[] = [];
    const encode = async (signal: AbortSignal) => encoded.push(signal.aborted);

    // #region semaphore
    const encoders = consul.semaphore('jobs/encoders', 2); // at most 2 holders, fleet-wide
    const slot = await encoders.acquire({ timeout: '1m' });
    try {
      await encode(slot.signal); // the signal aborts if the slot is lost
    } finally {
      await slot.release();
    }
    // #endregion semaphore
    expect(encoded).toEqual([false]);
    expect(slot.signal.aborted).toBe(true);

    const lost: string[] = [];
    const stopWarming = (reason: string) => lost.push(reason);
    // #region session
    const session = await consul.session.renewing({ ttl: '15s', lockDelay: '5s', name: 'warmer' });
    session.on('lost', (err) => stopWarming(err.reason)); // 'session-expired', 'renewal-lapsed'
    const acquired = await consul.kv.put('locks/cache-warmer', hostname(), { acquire: session.id });
    // ... work while !session.signal.aborted: it renews every TTL/2
    await session.stop(); // destroys the session, which releases the key
    // #endregion session
    expect(acquired).toBe(true);
    expect(lost).toEqual([]);
    expect((await consul.kv.get('locks/cache-warmer'))?.session).toBeUndefined();
  });

  it('Go and `consul lock` interop', () => {
    const consul = fx.client();
    // #region go-interop
    // `consul lock deploy <cmd>` locks deploy/.lock (flags 0x2ddccbc058a50c18): so does this
    const deploy = consul.lock('deploy', { goCompatible: true }); // deploy.key === 'deploy/.lock'
    // #endregion go-interop
    expect(deploy.key).toBe('deploy/.lock');
  });

  it('diagnostics_channel', async () => {
    const consul = fx.client();
    // #region diagnostics
    const registered: RegistrationMessage[] = [];
    const onRegistered = (message: unknown) => registered.push(message as RegistrationMessage);
    diagnostics_channel.subscribe(DIAGNOSTIC_CHANNELS.registrationRegistered, onRegistered);
    // #endregion diagnostics
    try {
      const registration = consul.register({ name: 'observed', address: '127.0.0.1', port: 9 });
      await registration.registered;
      expect(registered).toEqual([
        expect.objectContaining({ id: registration.id, name: 'observed', port: 9 }),
      ]);
      await registration.deregister();
    } finally {
      diagnostics_channel.unsubscribe(DIAGNOSTIC_CHANNELS.registrationRegistered, onRegistered);
    }
  });
});

// #region testing
describe('my service against a real Consul', () => {
  const fx = useConsulAgent(); // a dev agent on random loopback ports, stopped after the block

  it('reads what it wrote', async () => {
    const consul = new Consul({ address: fx.agent.address, token: fx.agent.token });
    fx.defer(() => consul.close()); // runs before the agent stops
    await consul.kv.put('config/app/mode', 'test');
    expect((await consul.kv.get('config/app/mode'))?.value).toBe('test');
  });
});
// #endregion testing

describe('README snippets against an agent that requires client certificates', () => {
  const fx = useAgent({ tls: { verifyIncoming: true } });

  it('mutual TLS: the CLI variables, and the error without a certificate', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      CONSUL_HTTP_ADDR: fx.agent.address,
      CONSUL_CACERT: fx.agent.tls?.ca,
      CONSUL_CLIENT_CERT: fx.agent.tls?.clientCert,
      CONSUL_CLIENT_KEY: fx.agent.tls?.clientKey,
    });
    try {
      // #region mtls
      // CONSUL_HTTP_ADDR=https://127.0.0.1:8501 CONSUL_CACERT=ca.pem
      // CONSUL_CLIENT_CERT=client.pem CONSUL_CLIENT_KEY=client-key.pem, as for the consul CLI
      const consul = new Consul();
      await consul.kv.put('app/mode', 'mutual');

      const anonymous = new Consul({
        address: process.env.CONSUL_HTTP_ADDR,
        tls: { caFile: process.env.CONSUL_CACERT },
        env: {}, // no CONSUL_CLIENT_CERT / CONSUL_CLIENT_KEY
      });
      const refused = await anonymous.kv.get('app/mode').catch((err: unknown) => err);
      // refused instanceof ConsulTlsError: "Consul GET /v1/kv/app/mode at https://…: the agent
      // requires a client certificate and none is configured (set tls.cert and tls.key, or
      // CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY) (ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE)"
      // #endregion mtls
      expect((await consul.kv.get('app/mode'))?.value).toBe('mutual');
      expect(refused).toBeInstanceOf(ConsulTlsError);
      expect((refused as ConsulTlsError).message).toMatch(
        /at https:.*: the agent requires a client certificate and none is configured/,
      );
      await Promise.all([consul.close(), anonymous.close()]);
    } finally {
      process.env = saved;
    }
  });
});
