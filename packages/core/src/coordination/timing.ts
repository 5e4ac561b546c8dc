import { backoffDelay } from '../internal/backoff';
import { LOCK_RETRY_CAP_MS, RENEW_RETRY_MS } from './constants';

/**
 * Pure timing rules of sessions, locks and monitors, kept apart so they can be unit-tested without an
 * agent. Times are monotonic milliseconds (`performance.now()`).
 */

/** Renew every TTL/2, as Go's `RenewPeriodic` does: one failed renewal still leaves TTL/2 to retry. */
export function renewInterval(ttlMs: number): number {
  return ttlMs / 2;
}

/**
 * Local expiry of a session: the TTL counted from when the last successful renewal was *sent* (the
 * server reset its timer after that instant, so this errs on the early side). The server may keep the
 * session up to 2×TTL, but a holder must not rely on that.
 */
export function sessionDeadline(lastRenewSentAt: number, ttlMs: number): number {
  return lastRenewSentAt + ttlMs;
}

/**
 * Pause before retrying a failed renewal: about 1 s (±25 % jitter so a fleet that lost its agent
 * together does not retry in lockstep), never past the local deadline. `undefined` when the deadline
 * has passed: the session must be declared lost.
 */
export function renewRetryDelay(
  now: number,
  deadline: number,
  random: () => number = Math.random,
): number | undefined {
  const left = deadline - now;
  if (left <= 0) return undefined;
  return Math.min(RENEW_RETRY_MS * (0.75 + random() * 0.5), left);
}

/** The TTL Consul answered on renew (`"15s"` as ms), adopted only when larger than ours. */
export function adoptTtl(currentMs: number, answeredMs: number | undefined): number {
  return answeredMs !== undefined && answeredMs > currentMs ? answeredMs : currentMs;
}

/**
 * Length of one monitor read. It must be well under the TTL so that, with nothing changing, a
 * successful read still lands within every TTL window ("no successful read within the TTL" is how a
 * partitioned monitor is told apart from a quiet one).
 */
export function monitorWait(ttlMs: number): number {
  return Math.max(1_000, Math.min(ttlMs / 3, 300_000));
}

/**
 * Pause after an acquire refused because a lock-delay is in force. When the previous holder's
 * lock-delay is known (`remainingMs`), the first retry lands just after it ends; otherwise, and for
 * later attempts, a jittered exponential backoff from 250 ms up to Go's 5 s retry time. Never a hot
 * loop, never much later than the lock becomes free.
 */
export function lockDelayPause(
  attempt: number,
  remainingMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (attempt === 0 && remainingMs !== undefined && remainingMs > 0) {
    return Math.min(remainingMs, 60_000) + 25 + random() * 75;
  }
  return backoffDelay(attempt, 250, LOCK_RETRY_CAP_MS, random);
}

/**
 * What is left of a lock-delay that started when the holder's release was observed. The server
 * started it slightly earlier, so this errs late, not early.
 */
export function remainingLockDelay(
  lockDelayMs: number | undefined,
  releaseSeenAt: number | undefined,
  now: number,
): number | undefined {
  if (lockDelayMs === undefined || releaseSeenAt === undefined) return undefined;
  return Math.max(0, releaseSeenAt + lockDelayMs - now);
}
