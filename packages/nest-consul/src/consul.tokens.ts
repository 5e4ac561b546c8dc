/**
 * Every injection token of `@consulkit/nest`, namespaced `CONSUL:` so they cannot collide with
 * other modules' (the convention of @nestjs/terminus and @nestjs/throttler). Metadata keys are in
 * `consul.metadata-keys.ts`.
 */

/** The `Consul` client of the module (created from `consul` options, or the adopted `client`). */
export const CONSUL_CLIENT = 'CONSUL:CLIENT';
/** Token of the options given to `forRoot` (or returned by the `forRootAsync` factory). */
export const CONSUL_MODULE_OPTIONS = 'CONSUL:MODULE_OPTIONS';
/** The validated, defaulted module options (internal). */
export const CONSUL_RESOLVED_OPTIONS = 'CONSUL:RESOLVED_OPTIONS';
/** The `healthRoute` given to `forRoot`/`forRootAsync` (a module extra: routes are static). */
export const CONSUL_HEALTH_ROUTE = 'CONSUL:HEALTH_ROUTE';
/** The services one `ConsulModule.forFeature()` declares (internal; one per feature module). */
export const CONSUL_FEATURE_SERVICES = 'CONSUL:FEATURE_SERVICES';

/** Prefix of the tokens of service clients. */
export const CONSUL_SERVICE_CLIENT_PREFIX = 'CONSUL:SERVICE_CLIENT:';

/**
 * The token of the app's client of `service`: what `@InjectServiceClient(service)` (without
 * options) injects and what `ConsulModule.forFeature({ services: [service] })` provides. Use it
 * with `@Inject()` in a factory provider, or to override the client in tests, e.g.
 * `Test.createTestingModule(...).overrideProvider(getServiceClientToken('users'))`.
 */
export function getServiceClientToken(service: string): string {
  return `${CONSUL_SERVICE_CLIENT_PREFIX}${service}`;
}
