/**
 * Injection tokens and metadata keys of `@consulkit/nest`, namespaced `CONSUL:` so they cannot
 * collide with other modules' (the convention of @nestjs/terminus and @nestjs/throttler).
 */

/** The `Consul` client of the module (created from `consul` options, or the adopted `client`). */
export const CONSUL_CLIENT = 'CONSUL:CLIENT';
/** The validated, defaulted module options (internal). */
export const CONSUL_RESOLVED_OPTIONS = 'CONSUL:RESOLVED_OPTIONS';
/** The `healthRoute` given to `forRoot`/`forRootAsync` (a module extra: routes are static). */
export const CONSUL_HEALTH_ROUTE = 'CONSUL:HEALTH_ROUTE';

/** Metadata: the `@ConsulConfig` properties of a class (a list, inherited by subclasses). */
export const CONSUL_CONFIG_PROPERTIES = 'CONSUL:CONFIG_PROPERTIES';
/** Metadata: the key and options of an `@OnConsulConfigChange` method. */
export const CONSUL_CONFIG_CHANGE = 'CONSUL:CONFIG_CHANGE';
/** Metadata: the coordination (`@LeaderOnly` / `@WithLock`) of a method. */
export const CONSUL_COORDINATION = 'CONSUL:COORDINATION';

/** Prefix of the tokens of `@InjectServiceClient` providers. */
export const CONSUL_SERVICE_CLIENT_PREFIX = 'CONSUL:SERVICE_CLIENT:';

/**
 * The token `@InjectServiceClient(name)` (without options) injects: use it to override the client
 * in tests, e.g. `Test.createTestingModule(...).overrideProvider(getServiceClientToken('users'))`.
 */
export function getServiceClientToken(service: string): string {
  return `${CONSUL_SERVICE_CLIENT_PREFIX}${service}`;
}
