import {
  type Consul,
  type ConsulOptions,
  type Duration,
  type RegistrationCheck,
} from '@consulkit/core';

/** The HTTP check Consul runs against the module's health route. */
export interface ConsulCheckOptions {
  /**
   * What Consul GETs: `true` (default) for the health route on the registered address and port, a
   * path on this server (`'/api/health'`), or a full `http(s)://` URL.
   */
  http?: true | string;
  /** Probe period. Default `'10s'`. */
  interval?: Duration;
  /** Probe timeout. Default `'5s'`. */
  timeout?: Duration;
  /** Consul removes the instance after the check stayed critical this long. Default `'1m'`. */
  deregisterCriticalServiceAfter?: Duration;
}

/** The service this app registers. `address` and `port` default to those `listen` really bound. */
export interface ConsulServiceOptions {
  /** Service name consumers look up (letters, digits, `.`, `_`, `-`). */
  name: string;
  /** Instance ID. Default `name-host-port-<random>`. */
  id?: string;
  tags?: readonly string[];
  /** String metadata (`scheme: 'https'` makes consumers dial TLS). */
  meta?: Readonly<Record<string, string>>;
  /** Address consumers dial. Default: the bound address, or this host's first IPv4 on a wildcard bind. */
  address?: string;
  /** Port consumers dial. Default: the port `listen` bound (so `app.listen(0)` works). */
  port?: number;
  /** Load-balancing weights (`warning: 0` sends no traffic to a warning instance). */
  weights?: { passing: number; warning?: number };
  /**
   * The HTTP check on the health route. Default `{ http: true, interval: '10s' }` when
   * `healthRoute` is enabled; `false` for none.
   */
  check?: ConsulCheckOptions | false;
  /** More checks, as `@consulkit/core` accepts them (`http: '/path'`, `tcp: true`, `ttl`...). */
  checks?: readonly RegistrationCheck[];
  /** Default `DeregisterCriticalServiceAfter` of every check. Default `'1m'`. */
  deregisterCriticalServiceAfter?: Duration;
}

/**
 * Options of `ConsulModule.forRoot(options)`, or what the `forRootAsync` factory returns. They
 * mirror `@consulkit/fastify`'s. `isGlobal` and `healthRoute` are module *extras*: give them to
 * `forRoot`/`forRootAsync` directly (Nest builds routes before any factory runs).
 */
export interface ConsulModuleOptions {
  /** Options of the `Consul` client the module creates (and closes). Exclusive with `client`. */
  consul?: ConsulOptions;
  /** An existing `Consul` client to adopt; the module never closes it. Exclusive with `consul`. */
  client?: Consul;
  /** The service to register once the HTTP server listens, or `false` for a consumer-only app. */
  service: ConsulServiceOptions | false;
  /**
   * Adds a TTL check whose heartbeat reports the `addCheck` functions, e.g. `'10s'`. Default: none
   * (without any check at all, core adds a liveness TTL check).
   */
  ttl?: Duration | false;
  /** How long a check function may take before it counts as critical. Default `'5s'`. */
  checkTimeout?: Duration;
  /**
   * On shutdown, how long the instance stays in maintenance (not passing) before it is
   * deregistered, so that consumers' discovery caches drop it while in-flight requests finish.
   * Default `'2s'`.
   */
  drain?: Duration;
  /** Bound on each Consul call made while shutting down (maintenance, deregistration). Default `'5s'`. */
  deregisterTimeout?: Duration;
  /**
   * `true`: check the agent during `app.init()` and fail startup when it cannot be reached.
   * Default `false`: log a typed error and keep retrying registration with backoff.
   */
  failFast?: boolean;
}

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
