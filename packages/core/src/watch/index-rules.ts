/** What the watch loop does with the index of a successful answer. */
export interface IndexStep {
  /** Index to send with the next call; 0 means a plain, non-blocking read. */
  next: number;
  /** The answer carries the index we sent: nothing changed (a timeout), skip the comparison. */
  unchanged: boolean;
  /** The index went backwards (agent restart, snapshot restore): deliver, then re-read fresh. */
  reset: boolean;
}

/**
 * Consul's index rules for the call after a successful answer (consul-semantics BQ-7..BQ-11):
 *
 * - returned index lower than the one sent: reset to 0, so the next call reads fresh instead of
 *   waiting on an index the server will not reach soon (BQ-9);
 * - returned index 0 or missing: wait on 1, never 0, which would answer at once forever (BQ-10);
 * - returned index equal to the one sent: the query timed out or woke without a change (BQ-11).
 *
 * Errors never get here: an error answer's index is never adopted (BQ-12); the loop re-reads
 * fresh (index 0) after backing off instead.
 *
 * @param sent index sent with the call (0 when it was a non-blocking read)
 * @param returned `X-Consul-Index` of the answer, `undefined` when the query function did not report it
 */
export function indexAfterSuccess(sent: number, returned: number | undefined): IndexStep {
  const index = returned !== undefined && Number.isFinite(returned) && returned > 0 ? returned : 0;
  if (index === 0) return { next: 1, unchanged: false, reset: false };
  if (sent > 0 && index < sent) return { next: 0, unchanged: false, reset: true };
  return { next: index, unchanged: sent > 0 && index === sent, reset: false };
}

/** Index to send after a failed call: 0, so the retry reads fresh and can spot a reset (BQ-12, BQ-15). */
export function indexAfterError(): number {
  return 0;
}
