import {
  type HealthCheckFunction,
  type HealthCheckResult,
  type HealthReport,
  type HealthSummary,
} from '@consulkit/core';

/** What a check function may report besides a bare status: `{ status, output? }`. */
export type ConsulCheckReport = HealthReport;

/**
 * What a check function returns: nothing or `true` → passing, `false` → critical, or a
 * {@link ConsulCheckReport}. Throwing (or rejecting) reports critical with the error's message, so
 * `async () => { await db.ping(); }` is a complete check.
 */
export type ConsulCheckResult = HealthCheckResult;

/** A health check function added with `ConsulService.addCheck(name, fn)`. */
export type ConsulCheckFunction = HealthCheckFunction;

/** The outcome of every check function: the worst status wins. */
export type ConsulHealthSummary = HealthSummary;
