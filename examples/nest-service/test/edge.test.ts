import { Consul, type Registration, silentLogger } from '@consulkit/core';
import { ConsulService } from '@consulkit/nest';
import {
  agentConnection,
  type Backend,
  fetchJson as call,
  type Received,
  startBackend,
  uniqueName,
  useConsulAgent,
  waitFor,
} from '@consulkit/testing';
import { type INestApplication } from '@nestjs/common';
import { type Limits } from '../src/cdn-settings';
import { readEnv } from '../src/env';
import { ORIGIN_SERVICE } from '../src/origins';
import { PURGE_LEADER_KEY, PURGE_QUEUE } from '../src/purge.job';
import { start } from '../src/start';
import { logCollector } from './support/logs';

/** What `GET /cdn/*` answers: the origin's object stamped with the edge. */
interface EdgeObjectReply {
  path: string;
  origin: string;
  body: string;
  edge: string;
}

/** What `GET /status` answers. */
interface StatusReply {
  service: string;
  id: string;
  pid: number;
  requests: number;
  originTimeoutMs: number;
  limits: Limits;
  origins: { retries: number; ejected: string[] };
  purge: { runs: number; purged: number; lastRunAt: string | undefined };
}

const SEEDED: Limits = { cacheTtlSeconds: 120, maxObjectsCached: 100, maxPathLength: 256 };
const RELOADED: Limits = { cacheTtlSeconds: 300, maxObjectsCached: 100, maxPathLength: 12 };
const ORIGIN_IDS = ['origin-a', 'origin-b'];

/** A stand-in for examples/fastify-service: answers objects and purges as an origin does. */
function originAnswer(id: string) {
  return (req: Received) => {
    const path = req.url.replace(/^\/objects/, '');
    if (req.method === 'DELETE') return { path, origin: id, purged: true };
    return {
      path,
      origin: id,
      cache: 'MISS',
      maxAge: 60,
      etag: `${id}:${path}`,
      body: `content of ${path}`,
      renderedAt: new Date().toISOString(),
    };
  };
}

describe('examples/nest-service (the CDN edge) against a real agent and two origins', () => {
  const fx = useConsulAgent({}, (agent) => {
    return new Consul({ ...agentConnection(agent), logger: silentLogger });
  });
  // The KV keys (`config/cdn/`, the purge queue and leader key) and the upstream name (`origin`)
  // are the example's own: this file has its agent to itself. The tests up to "on close" are one
  // scenario on one app, in order (each starts from the config the previous one left).
  const name = uniqueName('edge');
  const logs = logCollector();
  const origins = new Map<string, Backend>();
  const registrations: Registration[] = [];
  const sigtermListenersBefore = process.listenerCount('SIGTERM');
  let consul: Consul;
  let app: INestApplication;
  let base: string;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());

  beforeAll(async () => {
    consul = fx.client();
    for (const id of ORIGIN_IDS) {
      const backend = await startBackend(originAnswer(id));
      origins.set(id, backend);
      fx.defer(() => backend.close());
      const registration = consul.register({
        name: ORIGIN_SERVICE,
        id,
        address: '127.0.0.1',
        port: backend.port,
        check: { http: '/objects/health', interval: '1s' },
      });
      registrations.push(registration);
      fx.defer(() => registration.deregister());
    }
    await Promise.all(registrations.map((r) => r.registered));
    await waitFor(
      () => consul.health.service(ORIGIN_SERVICE, { passing: true }),
      (list) => list.length === ORIGIN_IDS.length,
      { timeout: 30_000, what: 'both origins passing' },
    );
    // Read at startup: the first load must already carry them.
    await consul.kv.put('config/cdn/limits', JSON.stringify(SEEDED));
    await consul.kv.put('config/cdn/origin_timeout', '4s');
    // As main.ts does, from an environment (only the agent's address is given in code).
    const env = readEnv({
      SERVICE_NAME: name,
      CHECK_INTERVAL: '1s',
      DRAIN: '1s',
      PURGE_INTERVAL_MS: '200',
      LOG_LEVEL: 'info',
    });
    app = await start(env, { consul: { address: fx.agent.address }, logger: logs.logger });
    fx.defer(close);
    base = await app.getUrl();
  });

  const boundPort = () => Number(new URL(base).port);
  const edgeId = () => app.get(ConsulService).registration?.id;
  const status = async () => (await call<StatusReply>(base, '/status')).body;
  const objectRequests = (id: string, method: string) =>
    (origins.get(id)?.received ?? []).filter(
      (r) => r.method === method && r.url !== '/objects/health',
    );
  /** Error lines naming `key`, as the module logs a value it rejected. */
  const rejected = (key: string) =>
    logs.lines.filter(
      (l) =>
        l.level === 'error' &&
        l.message.includes(`"${key}"`) &&
        l.message.includes('keeping the last good value'),
    );

  it('registers once listening: passing, with its name, bound address and port, tags and meta', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [entry] = await waitFor(
      () => consul.health.service(name, { passing: true }),
      (list) => list.length === 1,
      { timeout: 30_000, what: `${name} passing` },
    );
    expect(entry?.service).toMatchObject({
      service: name,
      id: edgeId(),
      address: '127.0.0.1',
      port: boundPort(),
      tags: ['cdn', 'nest'],
      meta: {},
    });
    const http = entry?.checks.filter((c) => c.type === 'http');
    expect(http?.map((c) => c.status)).toEqual(['passing']);
    expect(edgeId()).toMatch(new RegExp(`^${name}-`));
    // enableShutdownHooks(), as in production: one SIGTERM listener while running.
    expect(process.listenerCount('SIGTERM')).toBe(sigtermListenersBefore + 1);
  });

  it('serves objects from the origin owning each path (consistent hashing), and /status', async () => {
    const first = await call<EdgeObjectReply>(base, '/cdn/img/1.jpg');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      path: '/img/1.jpg',
      body: 'content of /img/1.jpg',
      edge: edgeId(),
    });
    expect(ORIGIN_IDS).toContain(first.body.origin);

    // Every path goes to one origin, every time; over many paths both origins get a share.
    const owners = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        const path = `/obj/${i}.txt`;
        const reply = await call<EdgeObjectReply>(base, `/cdn${path}`);
        expect(reply).toMatchObject({ status: 200, body: { path } });
        owners.set(path, (owners.get(path) ?? new Set()).add(reply.body.origin));
      }
    }
    expect([...owners.values()].map((set) => set.size)).toEqual(new Array(20).fill(1));
    const used = new Set([...owners.values()].flatMap((set) => [...set]));
    expect([...used].sort()).toEqual(ORIGIN_IDS);
    for (const id of ORIGIN_IDS) {
      expect(objectRequests(id, 'GET').length).toBeGreaterThan(0);
    }

    expect((await call(base, '/health')).status).toBe(200);
    expect(await status()).toMatchObject({
      service: name,
      id: edgeId(),
      pid: process.pid,
      requests: 61,
      originTimeoutMs: 4_000,
      limits: SEEDED,
      origins: { retries: 0, ejected: [] },
    });
  });

  it('hot-reloads config/cdn/: a shorter maxPathLength and a new timeout apply without a restart', async () => {
    await consul.kv.put('config/cdn/limits', JSON.stringify(RELOADED));
    await consul.kv.put('config/cdn/origin_timeout', '5s');
    await waitFor(status, (s) => s.limits.maxPathLength === 12, {
      what: 'the new limits in /status',
    });
    await waitFor(status, (s) => s.originTimeoutMs === 5_000, {
      what: 'the new origin_timeout in /status',
    });
    expect((await call(base, '/cdn/a/path/longer/than/12.txt')).status).toBe(414);
    expect((await call(base, '/cdn/short.txt')).status).toBe(200);
    expect(logs.lines.map((l) => l.message)).toEqual(
      expect.arrayContaining([
        'origin timeout is now 5000 ms',
        `limits are now ${JSON.stringify(RELOADED)}`,
      ]),
    );
  });

  it('keeps the last good value of a key whose new value does not parse', async () => {
    await consul.kv.put('config/cdn/limits', '{"maxPathLength": 1000,');
    await waitFor(
      () => rejected('config/cdn/limits'),
      (l) => l.length === 1,
      {
        what: 'the bad limits rejected',
      },
    );
    expect((await status()).limits).toEqual(RELOADED);
    expect((await call(base, '/cdn/a/path/longer/than/12.txt')).status).toBe(414);

    await consul.kv.put('config/cdn/origin_timeout', 'soon');
    await waitFor(
      () => rejected('config/cdn/origin_timeout'),
      (l) => l.length === 1,
      {
        what: 'the bad origin_timeout rejected',
      },
    );
    expect((await status()).originTimeoutMs).toBe(5_000);

    // Each key on its own: a good timeout applies while limits is still bad.
    await consul.kv.put('config/cdn/origin_timeout', '6s');
    await waitFor(status, (s) => s.originTimeoutMs === 6_000, {
      what: 'origin_timeout changed next to a bad limits value',
    });
    expect((await status()).limits).toEqual(RELOADED);
  });

  it('runs the leader-only purge job: the queued object is purged on the origin owning it', async () => {
    const owner = (await call<EdgeObjectReply>(base, '/cdn/img/1.jpg')).body.origin;
    const other = ORIGIN_IDS.find((id) => id !== owner) ?? '';
    // The only edge wins the election and ticks the job.
    await waitFor(status, (s) => s.purge.runs > 0, { what: 'the purge job running here' });
    const leader = await consul.kv.get(PURGE_LEADER_KEY);
    expect(leader?.session).toEqual(expect.any(String));

    await consul.kv.put(`${PURGE_QUEUE}img/1.jpg`, '');
    await waitFor(
      () => objectRequests(owner, 'DELETE'),
      (list) => list.length === 1,
      {
        what: `DELETE /objects/img/1.jpg on ${owner}`,
      },
    );
    expect(objectRequests(owner, 'DELETE').map((r) => r.url)).toEqual(['/objects/img/1.jpg']);
    expect(objectRequests(other, 'DELETE')).toEqual([]);
    await waitFor(
      () => consul.kv.keys(PURGE_QUEUE),
      (keys) => keys.length === 0,
      {
        what: 'the purge queue emptied',
      },
    );
    expect((await status()).purge.purged).toBe(1);
  });

  it('on close: leaves the catalog, gives the purge leadership up and stops serving', async () => {
    expect(await consul.catalog.service(name)).toHaveLength(1);
    await close();
    // Deregistration and the election's release are part of close(): nothing to wait for.
    expect(await consul.catalog.service(name)).toEqual([]);
    expect(await consul.health.service(name)).toEqual([]);
    expect((await consul.kv.get(PURGE_LEADER_KEY))?.session).toBeUndefined();
    // The election session's own service is gone too: only the agent and the origins remain.
    expect(Object.keys(await consul.catalog.services()).sort()).toEqual(['consul', ORIGIN_SERVICE]);
    await expect(fetch(`${base}/status`)).rejects.toThrow();
    expect(process.listenerCount('SIGTERM')).toBe(sigtermListenersBefore);
  });

  it('a port already in use: start() rejects and leaves no registration or signal listener behind', async () => {
    const listenersBefore = process.listenerCount('SIGTERM');
    const taken = await startBackend(() => ({}));
    const failedName = uniqueName('edge');
    const env = readEnv({ SERVICE_NAME: failedName, PORT: String(taken.port) });
    try {
      await expect(
        start(env, { consul: { address: fx.agent.address }, logger: logCollector().logger }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await taken.close();
    }
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
    expect(await consul.catalog.service(failedName)).toEqual([]);
  });
});
