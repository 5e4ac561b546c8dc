import { Consul, silentLogger } from '@consulkit/core';
import {
  agentConnection,
  type Backend,
  fetchJson as call,
  startBackend,
  uniqueName,
  useConsulAgent,
  waitFor,
} from '@consulkit/testing';
import { type FastifyInstance } from 'fastify';
import { DEFAULT_LIMITS, type Limits } from '../src/cdn-config';
import { readEnv } from '../src/env';
import { start } from '../src/start';
import { logCollector, type LogLine } from './support/logs';

/** What `GET /objects/*` answers. */
interface ObjectReply {
  path: string;
  origin: string;
  cache: 'HIT' | 'MISS';
  maxAge: number;
  etag: string;
  body: string;
}

/** What `GET /status` answers. */
interface StatusReply {
  service: string;
  id: string;
  pid: number;
  cache: { objects: number; hits: number; misses: number };
  config: { limits: Limits; origin_timeout: number };
}

const SEEDED: Limits = { cacheTtlSeconds: 120, maxObjectsCached: 100, maxPathLength: 256 };
const RELOADED: Limits = { cacheTtlSeconds: 300, maxObjectsCached: 2, maxPathLength: 256 };

describe('examples/fastify-service (the CDN origin) against a real agent', () => {
  const fx = useConsulAgent({}, (agent) => {
    return new Consul({ ...agentConnection(agent), logger: silentLogger });
  });
  // The KV prefix is the example's own (`config/cdn/`): this file has its agent to itself. The
  // tests up to "on close" are one scenario on one app, in order (each starts from the config the
  // previous one left).
  const name = uniqueName('origin');
  const peer = uniqueName('edge');
  const logs = logCollector();
  const sigtermListenersBefore = process.listenerCount('SIGTERM');
  let consul: Consul;
  let app: FastifyInstance;
  let base: string;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());

  beforeAll(async () => {
    consul = fx.client();
    // Read at startup: the first load must already carry it.
    await consul.kv.put('config/cdn/limits', JSON.stringify(SEEDED));
    // As main.ts does, from an environment (only the agent's address is given in code).
    const env = readEnv({
      SERVICE_NAME: name,
      PEER_SERVICE: peer,
      CHECK_INTERVAL: '1s',
      DRAIN: '1s',
      LOG_LEVEL: 'info',
    });
    app = await start(env, { consul: { address: fx.agent.address }, logStream: logs.stream });
    fx.defer(close);
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening');
    base = `http://127.0.0.1:${address.port}`;
  });

  const boundPort = () => Number(new URL(base).port);
  const status = async () => (await call<StatusReply>(base, '/status')).body;
  /** Log lines of level warn (40) or more whose message contains `text`. */
  const warnings = (text: string) =>
    logs.lines.filter((l: LogLine) => l.level >= 40 && l.msg.includes(text));

  it('registers once listening: passing, with its name, bound address and port, tags and meta', async () => {
    const [entry] = await waitFor(
      () => consul.health.service(name, { passing: true }),
      (list) => list.length === 1,
      { timeout: 30_000, what: `${name} passing` },
    );
    expect(entry?.service).toMatchObject({
      service: name,
      id: app.consul.registration?.id,
      address: '127.0.0.1',
      port: boundPort(),
      tags: ['cdn', 'fastify'],
      meta: {},
    });
    // Its health is the plugin's HTTP check on /health, polled by the agent, passing.
    const http = entry?.checks.filter((c) => c.type === 'http');
    expect(http?.map((c) => c.status)).toEqual(['passing']);
    const catalog = await consul.catalog.service(name);
    expect(catalog.map((s) => [s.serviceId, s.servicePort])).toEqual([
      [app.consul.registration?.id, boundPort()],
    ]);
    expect(app.consul.registration?.id).toMatch(new RegExp(`^${name}-`));
    // closeOnSignals, as in production: one SIGTERM listener while running.
    expect(process.listenerCount('SIGTERM')).toBe(sigtermListenersBefore + 1);
  });

  it('serves its routes over HTTP on 127.0.0.1, with the limits read at startup', async () => {
    const first = await call<ObjectReply>(base, '/objects/img/1.jpg');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      path: '/img/1.jpg',
      origin: app.consul.registration?.id,
      cache: 'MISS',
      maxAge: SEEDED.cacheTtlSeconds,
      body: 'content of /img/1.jpg',
    });
    expect(first.headers.get('cache-control')).toBe('public, max-age=120');
    expect(first.headers.get('etag')).toBe(first.body.etag);

    const second = await call<ObjectReply>(base, '/objects/img/1.jpg');
    expect(second.body).toMatchObject({ cache: 'HIT', etag: first.body.etag });

    const purged = await call(base, '/objects/img/1.jpg', 'DELETE');
    expect(purged).toMatchObject({ status: 200, body: { path: '/img/1.jpg', purged: true } });
    expect((await call(base, '/objects/img/1.jpg', 'DELETE')).body).toMatchObject({
      purged: false,
    });
    expect((await call<ObjectReply>(base, '/objects/img/1.jpg')).body.cache).toBe('MISS');

    const health = await call(base, '/health');
    expect(health.status).toBe(200);
    expect(await status()).toEqual({
      service: name,
      id: app.consul.registration?.id,
      pid: process.pid,
      cache: { objects: 1, hits: 1, misses: 2 },
      config: { limits: SEEDED, origin_timeout: 3_000 },
    });
  });

  describe('GET /edges: the peer service through discovery', () => {
    let backend: Backend | undefined;
    afterAll(() => backend?.close());

    it('answers 503 while no instance is registered, then the instance answer once one passes', async () => {
      const none = await call(base, '/edges');
      expect(none).toMatchObject({
        status: 503,
        body: { error: `no passing instance of "${peer}"` },
      });

      const peerStatus = { service: peer, id: `${peer}-1`, requests: 7 };
      backend = await startBackend(() => peerStatus);
      const registration = consul.register({
        name: peer,
        id: `${peer}-1`,
        address: '127.0.0.1',
        port: backend.port,
        check: { http: '/status', interval: '1s' },
      });
      fx.defer(() => registration.deregister());
      await registration.registered;

      const answered = await waitFor(
        () => call(base, '/edges'),
        (reply) => reply.status === 200,
        { timeout: 30_000, what: '/edges answered by the registered peer' },
      );
      expect(answered.body).toEqual(peerStatus);
      // The answer came from the backend itself, called by the origin (not only by the agent's check).
      const calls = backend.received.filter((r) => !r.userAgent.startsWith('Consul'));
      expect(calls.map((r) => [r.method, r.url])).toEqual([['GET', '/status']]);
      await registration.deregister();
    });
  });

  it('hot-reloads config/cdn/: new limits and timeout apply without a restart', async () => {
    await consul.kv.put('config/cdn/limits', JSON.stringify(RELOADED));
    await consul.kv.put('config/cdn/origin_timeout', '5s');
    await waitFor(status, (s) => s.config.limits.cacheTtlSeconds === 300, {
      what: 'the new limits in /status',
    });
    await waitFor(status, (s) => s.config.origin_timeout === 5_000, {
      what: 'the new origin_timeout in /status',
    });
    expect(await status()).toMatchObject({ config: { limits: RELOADED, origin_timeout: 5_000 } });

    const object = await call<ObjectReply>(base, '/objects/after/reload.txt');
    expect(object.body.maxAge).toBe(300);
    expect(object.headers.get('cache-control')).toBe('public, max-age=300');
    // maxObjectsCached applies on the next insert: the cache shrinks to 2 objects.
    await call(base, '/objects/a');
    await call(base, '/objects/b');
    expect((await status()).cache.objects).toBe(2);
    expect(warnings('config')).toEqual([]);
  });

  it('keeps the last good limits when a value does not parse or fails validation', async () => {
    await consul.kv.put('config/cdn/limits', '{"cacheTtlSeconds": 1,');
    await waitFor(
      () => warnings('"config/cdn/limits" is not valid json'),
      (l) => l.length === 1,
      {
        what: 'the parse error logged',
      },
    );
    expect((await status()).config.limits).toEqual(RELOADED);
    // A bad key holds back only itself: another key still changes.
    await consul.kv.put('config/cdn/origin_timeout', '7s');
    await waitFor(status, (s) => s.config.origin_timeout === 7_000, {
      what: 'origin_timeout changed next to a bad limits value',
    });
    expect((await status()).config.limits).toEqual(RELOADED);

    await consul.kv.put('config/cdn/limits', JSON.stringify({ ...RELOADED, cacheTtlSeconds: -1 }));
    await waitFor(
      () => warnings('limits.cacheTtlSeconds must be a non-negative integer'),
      (l) => l.length === 1,
      { what: 'the validation error logged' },
    );
    const object = await call<ObjectReply>(base, '/objects/after/bad.txt');
    expect(object.body.maxAge).toBe(RELOADED.cacheTtlSeconds);
    expect((await status()).config).toEqual({ limits: RELOADED, origin_timeout: 7_000 });

    // A good value again is taken at once.
    await consul.kv.put('config/cdn/limits', JSON.stringify(DEFAULT_LIMITS));
    await waitFor(status, (s) => s.config.limits.cacheTtlSeconds === 60, {
      what: 'the good limits after the bad ones',
    });
  });

  it('on close: leaves the catalog, stops serving and removes its signal listeners', async () => {
    expect(await consul.catalog.service(name)).toHaveLength(1);
    await close();
    // Deregistration is part of close(): nothing to wait for once it resolved.
    expect(await consul.catalog.service(name)).toEqual([]);
    expect(await consul.health.service(name)).toEqual([]);
    await expect(fetch(`${base}/status`)).rejects.toThrow();
    expect(process.listenerCount('SIGTERM')).toBe(sigtermListenersBefore);
  });

  it('a port already in use: start() rejects and leaves no registration or signal listener behind', async () => {
    const listenersBefore = process.listenerCount('SIGTERM');
    const taken = await startBackend(() => ({}));
    const failedName = uniqueName('origin');
    const env = readEnv({
      SERVICE_NAME: failedName,
      PORT: String(taken.port),
      LOG_LEVEL: 'silent',
    });
    try {
      await expect(start(env, { consul: { address: fx.agent.address } })).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      await taken.close();
    }
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
    expect(await consul.catalog.service(failedName)).toEqual([]);
  });
});
