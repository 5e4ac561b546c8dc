import { ConsulConfigError } from '@consulkit/core';

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

/**
 * The same `ConsulConfigError` with the option path prefixed (`address` → `consul.address`), so
 * the message names the option as the user wrote it in the plugin options.
 */
export function prefixOption(err: unknown, prefix: string): unknown {
  if (!(err instanceof ConsulConfigError)) return err;
  const option = `${prefix}.${err.option}`;
  const renamed = new ConsulConfigError(option, '', undefined);
  renamed.message = err.message.replace(`"${err.option}"`, `"${option}"`);
  renamed.stack = `${renamed.name}: ${renamed.message}\n${err.stack?.split('\n').slice(1).join('\n') ?? ''}`;
  return renamed;
}
