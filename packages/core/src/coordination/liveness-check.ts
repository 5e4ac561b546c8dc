import { hostname } from 'node:os';
import { formatGoDuration } from '../duration';
import { ConsulError, ConsulNotFoundError } from '../errors';
import { isUnknownCheckError } from '../endpoints/agent-check';
import { backoffDelay, sleep } from '../internal/backoff';
import { type CoordinationContext, now } from './context';

/**
 * The liveness check of a session: a TTL check, on a small service of its own on the local agent,
 * that the holding process passes on every renewal and that the session is bound to. When the
 * process dies the check turns critical within one TTL of its last pass, and Consul invalidates
 * the session at once — instead of up to 2×TTL later, as it does for an unrenewed session (SES-4).
 * A service of its own, not a node check: a critical node check would mark every service on the
 * node unhealthy.
 */

/** Name of the services that carry the liveness checks of sessions (`consulkit-session`). */
export const LIVENESS_SERVICE_NAME = 'consulkit-session';

/**
 * How long the agent keeps a liveness service whose check stayed critical (a crashed holder
 * deregisters nothing). Consul's minimum; its reaper runs every 30 s.
 */
const DEREGISTER_CRITICAL_AFTER = '1m';

/** Longest wait for the agent to sync a new check to the catalog before the session binds it. */
const MISSING_CHECK_RETRY_MS = 3_000;

/** Bound of the best-effort deregistration on stop or loss. */
const DEREGISTER_TIMEOUT_MS = 5_000;

/**
 * TTL of the liveness check for a session TTL: a tenth shorter (at least 1 s), so that the agent's
 * own delays (syncing the critical status, invalidating the session, our lock-delay wait) still fit
 * in the session TTL, and a crashed holder is replaced within TTL + lock-delay, not just after it.
 * Safe: the holder declares its loss on its own clock by the same shorter TTL, before the check
 * (whose clock starts on the agent, after our pass was sent) can turn critical.
 */
export function livenessTtl(sessionTtlMs: number): number {
  return sessionTtlMs - Math.max(1_000, Math.round(sessionTtlMs / 10));
}

/** Consul's limit on a `Meta` value. */
const META_VALUE_MAX = 512;

/** A registered liveness check. */
export interface LivenessCheck {
  /** ID of the `consulkit-session` service instance. */
  readonly serviceId: string;
  /** ID of its TTL check, bound to the session. */
  readonly checkId: string;
  /** TTL of the check in ms ({@link livenessTtl} of the session's TTL at creation). */
  readonly ttlMs: number;
  /** Monotonic time the registration was sent (the check's TTL clock started after it). */
  readonly registeredAt: number;
}

/** Clients (by their agent endpoint group) already warned that the fallback is in force. */
const warned = new WeakSet<object>();

/** The service ID of the liveness check of the session whose name ends with `[<suffix>]`. */
export function livenessServiceId(suffix: string): string {
  return `${LIVENESS_SERVICE_NAME}-${suffix}`;
}

/**
 * Registers the liveness service and its passing TTL check on the local agent. Resolves
 * `undefined` (after one warning per client) when the agent refuses it for good — typically a
 * token without `service:write` — so the session is created unbound; rethrows retryable failures
 * (the caller's own retry policy applies) and aborts.
 */
export async function registerLivenessCheck(
  ctx: CoordinationContext,
  session: { suffix: string; name: string; ttlMs: number },
  signal: AbortSignal | undefined,
): Promise<LivenessCheck | undefined> {
  const serviceId = livenessServiceId(session.suffix);
  const checkId = `${serviceId}:ttl`;
  const ttlMs = livenessTtl(session.ttlMs);
  const registeredAt = now();
  try {
    await ctx.agent.service.register(
      {
        name: LIVENESS_SERVICE_NAME,
        id: serviceId,
        tags: [`pid-${process.pid}`],
        meta: {
          session: session.name.slice(0, META_VALUE_MAX),
          pid: String(process.pid),
          host: hostname().slice(0, META_VALUE_MAX),
        },
        check: {
          checkId,
          name: 'consulkit session liveness',
          notes:
            'Passed by the process holding the session on every renewal; critical once that process ' +
            'stops, which invalidates the session bound to it.',
          ttl: formatGoDuration(ttlMs),
          status: 'passing',
          deregisterCriticalServiceAfter: DEREGISTER_CRITICAL_AFTER,
        },
      },
      { signal, replaceExistingChecks: true },
    );
  } catch (err) {
    // Retryable failures, aborts and a closed client are not a refusal: the caller decides.
    if (!(err instanceof ConsulError) || err.retryable) throw err;
    if (['CONSUL_ABORTED', 'CONSUL_CLOSED', 'CONSUL_CONFIG'].includes(err.code)) throw err;
    if (!warned.has(ctx.agent)) {
      warned.add(ctx.agent);
      ctx.options.logger.warn(
        'Could not register the liveness check of Consul sessions; sessions are created without it, ' +
          'so after a crash of the holder, handover may take up to 2×TTL (grant service:write on ' +
          `"${LIVENESS_SERVICE_NAME}" to the token, or set livenessCheck: false)`,
        { service: LIVENESS_SERVICE_NAME, error: err.code, status: err.status },
      );
    }
    return undefined;
  }
  return { serviceId, checkId, ttlMs, registeredAt };
}

/**
 * Runs `create` (a session creation binding the checks `checkIds`), retrying for up to 3 s while
 * Consul answers that one of them is missing: the agent syncs a new check to the catalog
 * asynchronously — our liveness check just registered, or `serfHealth` itself on an agent that has
 * just started — and the server only binds checks it knows. That answer is definite (no session
 * was created), so the retry cannot leak one. Any other failure is rethrown at once.
 */
export async function createBound<T>(
  create: () => Promise<T>,
  checkIds: readonly string[],
  signal: AbortSignal | undefined,
): Promise<T> {
  const until = now() + MISSING_CHECK_RETRY_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (!isMissingCheck(err, checkIds)) throw err;
      const pause = Math.min(backoffDelay(attempt, 50, 500), until - now());
      if (pause <= 0) throw err;
      await sleep(pause, signal);
    }
  }
}

/** `500 Missing check '<id>' registration` for one of the checks bound (SES-1). */
function isMissingCheck(err: unknown, checkIds: readonly string[]): boolean {
  if (!(err instanceof ConsulError) || err.status !== 500) return false;
  const body = err.body ?? '';
  return /missing check/i.test(body) && checkIds.some((id) => body.includes(`'${id}'`));
}

/**
 * Passes the check (resets its TTL). Rejects like `agent.check.pass`: `ConsulNotFoundError` when
 * the agent no longer knows it (see {@link isLivenessCheckGone}).
 */
export function passLivenessCheck(
  ctx: CoordinationContext,
  check: LivenessCheck,
  options: { signal: AbortSignal; timeout: number },
): Promise<void> {
  return ctx.agent.check.pass(check.checkId, undefined, options);
}

/**
 * True when a failed pass means the agent lost the check (restarted, service deregistered): the
 * server invalidates a session whose bound check is deregistered, so the session is lost.
 */
export function isLivenessCheckGone(err: unknown): boolean {
  return err instanceof ConsulNotFoundError || isUnknownCheckError(err);
}

/**
 * Deregisters the liveness service (after the session was destroyed). Best effort and bounded; never
 * throws: a leftover is reaped by the agent a minute after its check turns critical.
 */
export async function deregisterLivenessCheck(
  ctx: CoordinationContext,
  check: LivenessCheck,
): Promise<void> {
  try {
    await ctx.agent.service.deregister(check.serviceId, { timeout: DEREGISTER_TIMEOUT_MS });
  } catch (err) {
    ctx.options.logger.warn(
      'Could not deregister the liveness service of a Consul session; the agent reaps it a minute ' +
        'after its check turns critical',
      { service: check.serviceId, error: err instanceof ConsulError ? err.code : String(err) },
    );
  }
}
