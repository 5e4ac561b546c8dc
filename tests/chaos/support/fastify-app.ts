import fastifyConsul, { type FastifyConsulOptions } from '@consulkit/fastify';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { type AddressInfo } from 'node:net';

/** An in-process Fastify backend registered through @consulkit/fastify. */
export interface FastifyBackend {
  readonly app: FastifyInstance;
  readonly label: string;
  readonly port: number;
  /** Consul instance ID. */
  readonly id: string;
  /**
   * `performance.now()` when the server stopped accepting (set in a `preClose` hook added after the
   * plugin's, so after its drain and deregistration), or undefined while it serves.
   */
  deadAt: number | undefined;
}

/**
 * Starts a Fastify app answering `GET /work` with `label`, registered as `service` with an HTTP
 * check on its health route, and waits until the agent has it.
 */
export async function startFastifyBackend(
  label: string,
  options: FastifyConsulOptions,
  fastifyOptions: FastifyServerOptions = { logger: false },
): Promise<FastifyBackend> {
  const app = Fastify(fastifyOptions);
  await app.register(fastifyConsul, options);
  const backend: FastifyBackend = { app, label, port: 0, id: '', deadAt: undefined };
  app.get('/work', async () => label);
  app.addHook('preClose', async () => {
    backend.deadAt = performance.now();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const registration = app.consul.registration;
  if (!registration) throw new Error('the plugin did not start a registration on listen');
  await registration.registered;
  (backend as { port: number }).port = (app.server.address() as AddressInfo).port;
  (backend as { id: string }).id = registration.id;
  return backend;
}
