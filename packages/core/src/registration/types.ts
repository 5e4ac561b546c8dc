import { type Duration } from '../duration';
import { type HealthStatus } from '../models/check';
import { type CheckDefinition } from '../models/check-definition';
import { type ServiceDefinition } from '../models/service-definition';

/**
 * A check of a registered service. Same fields as {@link CheckDefinition}, plus shorthands resolved
 * against the service's own address and port: `http: '/health'` becomes
 * `http://<address>:<port>/health`, `tcp: true` and `grpc: true` become `<address>:<port>`.
 * Give `checkId` to pin the ID; the default is `<serviceId>:<kind>` (`:<kind>:2` for a second check
 * of the same kind), stable for the registration's lifetime so heartbeats can address it.
 */
export interface RegistrationCheck extends Omit<CheckDefinition, 'tcp' | 'grpc'> {
  /** `host:port` Consul connects to, or `true` for the service's own address and port. */
  tcp?: string | true;
  /** `host:port[/service]` probed with gRPC health, or `true` for the service's address and port. */
  grpc?: string | true;
}

/**
 * What `consul.register()` registers. `port` is required; `address` defaults to the host's first
 * non-internal IPv4 (pass the server's bound address: a wildcard such as `0.0.0.0` is replaced);
 * `id` defaults to `name-host-port-<random>`. Without `check`/`checks`, a TTL check kept alive by
 * this process is added, so a crashed process is reaped after `deregisterCriticalServiceAfter`.
 * Pass `checks: []` to register without any check (not recommended: nothing reaps a zombie).
 */
export interface RegistrationDefinition extends Omit<
  ServiceDefinition,
  'port' | 'check' | 'checks'
> {
  /** Port consumers dial (1-65535). */
  port: number;
  /** One check. */
  check?: RegistrationCheck;
  /** Several checks. */
  checks?: readonly RegistrationCheck[];
}

/** What an in-process health function reports for the TTL checks. */
export interface HealthReport {
  /** Status reported to every TTL check. */
  status: HealthStatus;
  /** Shown as the check's output in Consul (truncated by Consul to 4 KB). */
  output?: string;
}

/**
 * Decides the status the TTL heartbeat reports: `true` → passing, `false` → critical, or a
 * {@link HealthReport}. A throw or a rejection reports critical with the error message; so does a
 * function that does not settle within the heartbeat period.
 */
export type HealthFunction = () => HealthReport | boolean | Promise<HealthReport | boolean>;

/** Behaviour of a {@link Registration} (nothing here is sent to Consul as is). */
export interface RegistrationOptions {
  /** Drives every TTL check's heartbeat. Default: always passing (liveness of this process). */
  health?: HealthFunction;
  /**
   * Heartbeat period of TTL checks. Default: a third of the TTL, with ±10 % jitter so that a fleet
   * started together does not beat in lockstep.
   */
  heartbeatInterval?: Duration;
  /**
   * Watch the local agent and register again when it lost the service (agent restart, data wipe,
   * `DeregisterCriticalServiceAfter` reap, operator deregistration), whatever the check types.
   * Default true. See `Reconciler` for how (a hash-blocking read of `/v1/agent/service/:id`).
   */
  reconcile?: boolean;
  /** Default `DeregisterCriticalServiceAfter` of checks that do not set one. Default `'1m'`. */
  deregisterCriticalServiceAfter?: Duration;
  /** TTL of the check added when the definition has no check. Default `'10s'`. */
  defaultTtl?: Duration;
  /** Register at once (default). With `false`, call `start()`. */
  autoStart?: boolean;
  /** Deregister (bounded, best effort) when the Consul client closes. Default true. */
  deregisterOnClose?: boolean;
}

/** Lifecycle state of a {@link Registration}. */
export type RegistrationState =
  | 'idle'
  | 'registering'
  | 'registered'
  | 'recovering'
  | 'deregistering'
  | 'deregistered'
  | 'stopped'
  | 'failed';

/** Why the reconciler registered the service again. */
export type ReregisterReason = 'service-missing' | 'check-lost';

/** Payload of the `registered`, `reregistered` and `deregistered` events. */
export interface RegistrationEvent {
  /** Instance ID. */
  id: string;
  /** Service name. */
  name: string;
  /** Set on `reregistered`. */
  reason?: ReregisterReason;
}

/** Options of {@link Registration.deregister}. */
export interface DeregisterOptions {
  /** Gives up after this long (default `'5s'`): shutdown must never hang on Consul. */
  timeout?: Duration;
}

/** The events a {@link Registration} emits. */
export interface RegistrationEventMap {
  /** The first registration succeeded (`registered` resolved). */
  registered: [RegistrationEvent];
  /** The agent had lost the instance and it was registered again (`reason` says how it showed). */
  reregistered: [RegistrationEvent];
  /** `deregister()` completed. */
  deregistered: [RegistrationEvent];
  /** Emitted only when a listener exists; otherwise the client's logger gets the error. */
  error: [Error];
}
