import { ConsulNoInstanceError, type ConsulOptions } from '@consulkit/core';
import fastifyConsul from '@consulkit/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { cdnConfig } from './cdn-config';
import { type ServiceEnv } from './env';
import { ObjectStore } from './object-store';

/** What `main.ts` leaves to its defaults, and a test or an embedding program may set. */
export interface AppOptions {
  /**
   * Options of the Consul client. Default `{}`: address, token and TLS come from
   * `CONSUL_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, `CONSUL_CACERT`...
   */
  consul?: ConsulOptions;
  /** Where the JSON log lines go. Default: stdout. */
  logStream?: NodeJS.WritableStream;
}

/**
 * The CDN origin: serves objects (cached in memory, so consistent routing pays off), lets edges purge
 * them, reads `config/cdn/` from Consul KV with hot reload, and asks the edges for their status
 * through the discovery-backed client. Registration, `/health`, drain and deregistration come from
 * the `@consulkit/fastify` plugin.
 */
export async function buildApp(
  env: ServiceEnv,
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const logStream = options.logStream ? { stream: options.logStream } : {};
  const app = Fastify({ logger: { level: env.logLevel, ...logStream } });

  await app.register(fastifyConsul, {
    consul: options.consul ?? {},
    service: {
      name: env.serviceName,
      ...(env.serviceId ? { id: env.serviceId } : {}),
      tags: ['cdn', 'fastify'],
      check: { interval: env.checkInterval, timeout: '1s' },
    },
    drain: env.drain,
    // SIGTERM / Ctrl-C: maintenance on, drain while still serving, deregister, close, exit.
    closeOnSignals: true,
  });

  // Hot-reloaded, validated config: a bad `limits` document keeps the last good one.
  const config = app.consul.config(cdnConfig);
  config.on('change', (changes) =>
    app.log.info({ keys: changes.map((c) => c.key) }, 'config changed'),
  );
  const store = new ObjectStore(() => config.get('limits').maxObjectsCached);
  const instanceId = () => app.consul.registration?.id ?? env.serviceName;

  // Reported by GET /health, which Consul polls.
  app.consul.addCheck('config', () =>
    config.isLoaded ? true : { status: 'warning', output: 'config/cdn/ not loaded yet' },
  );

  app.get<{ Params: { '*': string } }>('/objects/*', async (req, reply) => {
    const path = `/${req.params['*']}`;
    const { object, hit } = store.get(path);
    const maxAge = config.get('limits').cacheTtlSeconds;
    void reply.header('cache-control', `public, max-age=${maxAge}`).header('etag', object.etag);
    return { ...object, origin: instanceId(), cache: hit ? 'HIT' : 'MISS', maxAge };
  });

  app.delete<{ Params: { '*': string } }>('/objects/*', async (req) => {
    const path = `/${req.params['*']}`;
    return { path, origin: instanceId(), purged: store.purge(path) };
  });

  app.get('/status', async () => ({
    service: env.serviceName,
    id: instanceId(),
    pid: process.pid,
    cache: { objects: store.size, hits: store.hits, misses: store.misses },
    config: config.snapshot().values,
  }));

  // Calls another service through Consul: a passing instance, load-balanced, retried elsewhere.
  app.get('/edges', async (_req, reply) => {
    try {
      const { statusCode, body } = await app.consul.service(env.peerService).get('/status');
      return reply.code(statusCode).send(await body.json());
    } catch (err) {
      if (err instanceof ConsulNoInstanceError) {
        return reply.code(503).send({ error: `no passing instance of "${env.peerService}"` });
      }
      throw err;
    }
  });

  await config.ready();
  return app;
}
