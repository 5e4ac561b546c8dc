/**
 * Timers of the registration loops. They are `unref`'d: a registration must never keep a process
 * alive on its own (the HTTP server does that), or a forgotten `deregister()` would hang exit.
 */

/** Resolves after `ms` (unref'd timer); resolves early, without error, when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `ms` ± `fraction` (default 10 %), so a fleet started together does not beat in lockstep. */
export function jittered(ms: number, fraction = 0.1, random: () => number = Math.random): number {
  return ms * (1 - fraction + 2 * fraction * random());
}

/**
 * Settles like `promise`, or rejects with `onTimeout()` after `ms` (unref'd timer). The promise
 * itself is not cancelled; callers pass an `AbortSignal` to the work when they can.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err as Error);
      },
    );
  });
}
