import { type FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from './app';
import { type ServiceEnv } from './env';

/**
 * Builds the origin and listens on `env.host:env.port`: what `npm start` runs (`main.ts`), callable
 * from a test with the agent's address in `options.consul`. Resolves once the server listens; the
 * plugin then registers the port really bound. Close the returned app to drain and deregister.
 */
export async function start(env: ServiceEnv, options?: AppOptions): Promise<FastifyInstance> {
  const app = await buildApp(env, options);
  try {
    await app.listen({ host: env.host, port: env.port });
  } catch (err) {
    // The config watch and the Consul client are open: a failed listen must not leave them behind.
    await app.close();
    throw err;
  }
  return app;
}
