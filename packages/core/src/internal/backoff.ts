/**
 * Exponential backoff with "full jitter": a random delay between 0 and min(max, base·2^attempt),
 * never below `min`/2 so retries are not immediate. Spreads synchronized clients apart.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
  const floor = Math.min(minMs / 2, ceiling);
  return floor + random() * (ceiling - floor);
}

/** Resolves after `ms`, or rejects with `signal.reason` when the signal fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
