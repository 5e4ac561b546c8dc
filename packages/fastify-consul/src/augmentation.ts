import { type FastifyConsul } from './decoration';

declare module 'fastify' {
  interface FastifyInstance {
    /** Consul client and recipes bound to the app's lifetime (`@consulkit/fastify`). */
    consul: FastifyConsul;
  }
}
