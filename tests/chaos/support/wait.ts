/** Bounded waiting: every loop in this suite ends by count or by time. */

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `probe` every `interval` ms until it returns a truthy value, failing after `timeout` ms
 * with the last error seen (a bounded loop).
 */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  { timeout = 15_000, interval = 50, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not met within ${timeout} ms${last ? `: ${String(last)}` : ''}`);
    }
    await delay(interval);
  }
}

/**
 * Settles like `promise`, or rejects after `ms` with "hung": proves a call cannot hang (the guard
 * is far above the call's own timeout; the test asserts the call's own typed outcome).
 */
export function guard<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for ${ms} ms`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

/** Milliseconds since `start` (a `performance.now()` value), rounded. */
export function since(start: number): number {
  return Math.round(performance.now() - start);
}
