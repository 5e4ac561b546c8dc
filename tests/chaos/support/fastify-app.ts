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
  const backend: FastifyBackend = { app, label, port: 0, id: '' };
  app.get('/work', async () => label);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const registration = app.consul.registration;
  if (!registration) throw new Error('the plugin did not start a registration on listen');
  await registration.registered;
  (backend as { port: number }).port = (app.server.address() as AddressInfo).port;
  (backend as { id: string }).id = registration.id;
  return backend;
}
