/**
 * Every message `@consulkit/nest` writes itself: log lines (through Nest's `Logger`, context
 * `ConsulModule`) and the text of the errors it throws, in one place so that their wording stays
 * consistent (the convention of @nestjs/schedule's `schedule.messages.ts`). Messages name keys,
 * options and `Class.member` labels, never a KV value (it may be a secret) nor an ACL token.
 * Core's own messages are core's.
 */

/** Error text for a log line (never the stack: logs stay one line per event). */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// --- lifecycle -------------------------------------------------------------------------------

export const NO_HTTP_SERVER =
  'No HTTP server (an application context?): the service is not registered with Consul';

/** Reason of the app's resource scope, and message of `ConsulClosedError` after shutdown. */
export const APPLICATION_SHUT_DOWN = 'The Nest application has shut down: ConsulService is closed';

export const notSingleton = (provider: string): string =>
  `${provider} is not a singleton (request-scoped, or depends on one): its @ConsulConfig / @OnConsulConfigChange / @LeaderOnly / @WithLock decorators are ignored`;

/** `expected` of the `ConsulOptionError` for a `healthRoute` returned by the options factory. */
export const HEALTH_ROUTE_FROM_FACTORY =
  'the healthRoute given to forRoot/forRootAsync directly (Nest builds routes before the options factory runs)';

// --- @ConsulConfig / @OnConsulConfigChange ---------------------------------------------------

export const configUnreadableUsesDefault = (key: string, err: Error, label: string): string =>
  `Config key "${key}" could not be read (${err.message}); ${label} uses its default until it can`;

export const configUnreadableStaysUndefined = (key: string, err: Error, label: string): string =>
  `Config key "${key}" could not be read (${err.message}); ${label} stays undefined until it can`;

export const requiredConfigDeleted = (key: string, label: string): string =>
  `Required config key "${key}" was deleted; ${label} keeps its last value`;

export const configHandlerFailed = (label: string, key: string, err: unknown): string =>
  `@OnConsulConfigChange handler ${label} failed for "${key}": ${describeError(err)}`;

/** A value that failed to parse: core's message names the key and the mode, not the value. */
export const configValueRejected = (err: Error): string =>
  `${err.message}; keeping the last good value`;

export const configKeyUnavailable = (key: string, err: Error): string =>
  `Config key "${key}": ${err.message}`;

export const requiredConfigMissing = (key: string, property: string): string =>
  `Required config key "${key}" (${property}) does not exist in Consul KV and has no default`;

export const CONFIG_LOAD_BEFORE_OPEN = 'ConfigBinding.load() before open()';

/** `expected` texts of the `ConsulOptionError`s of decorator options. */
export const EXPECTED_OBJECT = 'an object';
export const EXPECTED_BOOLEAN = 'a boolean';
export const EXPECTED_KV_KEY = 'a Consul KV key (not empty, not a folder)';
export const expectedKnownOption = (known: readonly string[]): string =>
  `a known option (${known.join(', ')})`;
export const expectedParseMode = (modes: readonly string[]): string =>
  `a parse mode (${modes.join(', ')}) or a function`;

// --- service clients -------------------------------------------------------------------------

/** `expected` of the error for a `ConsulModule.forFeature()` that cannot see `ConsulModule`. */
export const FEATURE_WITHOUT_ROOT =
  'ConsulModule.forRoot({ isGlobal: true }) (or forRootAsync) in the application: ' +
  'a feature module sees ConsulModule only when it is global';
export const EXPECTED_FEATURE_OPTIONS = 'an object { services: [...] }';
export const EXPECTED_SERVICES = 'a list of service names or { name, options } entries';
export const EXPECTED_SERVICE_NAME = 'a non-empty service name';
export const featureOptionsConflict = (service: string, other: string): string =>
  `the options of ${other}, which declares "${service}" too (one client per service and application)`;

// --- @LeaderOnly / @WithLock / @Lease -------------------------------------------------------

export const expectedMethodFor = (decorator: string): string =>
  `a method to decorate with @${decorator}`;

export const unmanagedInstance = (label: string, decorator: string): string =>
  `${label} skipped: @${decorator} needs an instance managed by a Nest app importing ConsulModule (singleton scope)`;

export const EXPECTED_LEASE_TARGET = 'a parameter of a @LeaderOnly or @WithLock method';
export const EXPECTED_LEASE_KEY = 'the key of one of its @LeaderOnly / @WithLock decorators';
export const EXPECTED_ONE_COORDINATION =
  'one @LeaderOnly or @WithLock decorator, or @Lease(key) naming the key of one of them';

export const skippedShuttingDown = (label: string): string =>
  `${label} skipped: the application is shutting down`;

export const skippedNotLeader = (label: string, key: string): string =>
  `${label} skipped: not the leader of "${key}"`;

export const skippedLockTimeout = (label: string, key: string): string =>
  `${label} skipped: lock "${key}" not acquired in time`;

export const skippedLockFailed = (label: string, key: string, err: unknown): string =>
  `${label} skipped: could not acquire lock "${key}": ${describeError(err)}`;

export const skippedLockBusy = (label: string, key: string): string =>
  `${label} skipped: lock "${key}" is held by another process`;

export const lockReleaseFailed = (key: string, err: unknown): string =>
  `Could not release lock "${key}": ${describeError(err)}`;

export const elected = (key: string): string => `Elected leader of "${key}"`;

export const revoked = (key: string, reason: string): string =>
  `No longer leader of "${key}" (${reason})`;

export const campaignFailed = (key: string, err: Error): string =>
  `Leader campaign on "${key}" failed; retrying: ${err.message}`;

// --- health ----------------------------------------------------------------------------------

export const AGENT_WITHOUT_LEADER = 'The Consul agent knows no cluster leader';
export const agentUnreachable = (err: unknown): string =>
  `The Consul agent cannot be reached: ${describeError(err)}`;
export const REGISTRATION_REFUSED = 'Consul refused the service registration';
export const CHECK_CRITICAL = 'An application check is critical';
