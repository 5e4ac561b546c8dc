import {
  type HealthCheckFunction,
  type HealthCheckResult,
  type HealthReport,
  type HealthStatus,
  type HealthSummary as CoreHealthSummary,
} from '@consulkit/core';

/** Status of a check, as Consul names them. */
export type CheckStatus = HealthStatus;

/** What a check function may report besides a bare status: `{ status, output? }`. */
export type CheckReport = HealthReport;

/**
 * What a check function returns: nothing or `true` → passing, `false` → critical, or a
 * {@link CheckReport}. Throwing (or rejecting) reports critical with the error's message, so
 * `async () => { await db.ping(); }` is a complete check.
 */
export type CheckResult = HealthCheckResult;

/** A health check function registered with `app.consul.addCheck(name, fn)`. */
export type CheckFunction = HealthCheckFunction;

/** The outcome of one check function. */
export type CheckOutcome = HealthReport;

/** The outcome of every check function: the worst status wins. */
export type HealthSummary = CoreHealthSummary;
