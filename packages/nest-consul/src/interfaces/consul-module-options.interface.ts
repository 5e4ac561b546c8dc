import {
  type ManagedServiceCheckOptions,
  type ManagedServiceOptions,
  type ServiceLifecycleOptions,
} from '@consulkit/core/adapter';

/**
 * The HTTP check Consul runs against the module's health route: `http` (`true` for the health
 * route, a path on this server such as `'/api/health'`, or a full URL), `interval` (default
 * `'10s'`), `timeout` (default `'5s'`), `deregisterCriticalServiceAfter` (default `'1m'`).
 */
export type ConsulCheckOptions = ManagedServiceCheckOptions;

/**
 * The service this app registers (`name`, `id`, `tags`, `meta`, `address`, `port`, `weights`,
 * `check`, `checks`, `deregisterCriticalServiceAfter`). `address` and `port` default to those
 * `listen` really bound (so `app.listen(0)` works).
 */
export type ConsulServiceOptions = ManagedServiceOptions;

/**
 * Options of `ConsulModule.forRoot(options)`, or what the `forRootAsync` factory returns: the client
 * (`consul` options, or an adopted `client`), the `service` (or `false`), `ttl`, `checkTimeout`,
 * `drain`, `deregisterTimeout` and `failFast`, as `@consulkit/core` defines them for every adapter
 * (the same as `@consulkit/fastify`'s). `isGlobal` and `healthRoute` are module *extras*: give them
 * to `forRoot`/`forRootAsync` directly (Nest builds routes before any factory runs).
 */
export type ConsulModuleOptions = Omit<ServiceLifecycleOptions, 'healthRoute'>;

/** The module extras, accepted by both `forRoot` and `forRootAsync`. */
export interface ConsulModuleExtras {
  /** Register the module globally (its providers injectable everywhere). Default `false`. */
  isGlobal?: boolean;
  /**
   * Path of the health controller (runs the `addCheck` functions: 200 passing, 429 warning, 503
   * critical, JSON body), or `false`. Default `'/health'`. It is a regular controller, so
   * `app.setGlobalPrefix()` applies to it: exclude it from the prefix, or point
   * `service.check.http` at the prefixed path.
   */
  healthRoute?: string | false;
}
