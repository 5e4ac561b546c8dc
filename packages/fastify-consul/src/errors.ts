/** Thrown when `@consulkit/fastify` is registered twice on the same Fastify instance. */
export class FastifyConsulAlreadyRegisteredError extends Error {
  /** Stable code, in Fastify's `FST_` style. */
  readonly code = 'FST_CONSUL_ALREADY_REGISTERED';

  constructor() {
    super(
      '@consulkit/fastify has already been registered on this Fastify instance ' +
        '(app.consul exists); register it once per app',
    );
    this.name = 'FastifyConsulAlreadyRegisteredError';
  }
}
