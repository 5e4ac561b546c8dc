import { backoffDelay } from '../internal/backoff';
import { pause } from './timing';

/** How {@link retryUntilDone} ended. */
export type RetryOutcome =
  | { readonly kind: 'done' }
  /** `refused(error)` said no retry can fix it. */
  | { readonly kind: 'refused'; readonly error: unknown }
  /** The signal aborted or the deadline passed; `error` is the last failure (none if never tried). */
  | { readonly kind: 'stopped'; readonly error: unknown };

/** When and how long {@link retryUntilDone} waits between tries. */
export interface RetryPolicy {
  /** Backoff bounds of the pause after the n-th failure (full jitter, `internal/backoff`). */
  minMs: number;
  /** Upper bound; may depend on the failure (e.g. longer for a refusal retried anyway). */
  maxMs: number | ((error: unknown) => number);
  /** `Date.now()` after which no try starts; pauses are cut to end by it. */
  deadline?: number;
  /** Failures no retry fixes: the loop ends with `refused` instead of pausing. */
  refused?(error: unknown): boolean;
  /** Each failure that will be retried, counted from 1 (report the first, log the others). */
  failed?(error: unknown, consecutive: number): void;
}

const DONE: RetryOutcome = { kind: 'done' };

/**
 * Runs `once` until it resolves, pausing with jittered exponential backoff after each failure;
 * never throws for `once`'s failures. The registration's loops (first registration, recovery,
 * deregistration) differ only in their policy.
 */
export async function retryUntilDone(
  once: () => Promise<unknown>,
  signal: AbortSignal,
  policy: RetryPolicy,
): Promise<RetryOutcome> {
  const { deadline } = policy;
  let error: unknown;
  for (
    let attempt = 0;
    !signal.aborted && (deadline === undefined || Date.now() < deadline);
    attempt++
  ) {
    try {
      await once();
      return DONE;
    } catch (err) {
      error = err;
      if (signal.aborted) break;
      if (policy.refused?.(err)) return { kind: 'refused', error: err };
      policy.failed?.(err, attempt + 1);
      const maxMs = typeof policy.maxMs === 'function' ? policy.maxMs(err) : policy.maxMs;
      const delay = backoffDelay(attempt, policy.minMs, maxMs);
      await pause(deadline === undefined ? delay : Math.min(delay, deadline - Date.now()), signal);
    }
  }
  return { kind: 'stopped', error };
}
