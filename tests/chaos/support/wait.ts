/** Bounded waiting: every loop in this suite ends by count or by time. */

// `waitFor(probe, { timeout, interval, what })` and `delay(ms)` are the generic ones.
export { delay, waitFor } from '@consulkit/testing';

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
