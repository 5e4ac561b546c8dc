/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Gives up after this many milliseconds. Default `15000`. */
  timeout?: number;
  /** Pause between two probes, in milliseconds. Default `50`. */
  interval?: number;
  /** What is awaited, for the error message. Default `'condition'`. */
  what?: string;
}

/**
 * Polls `probe` until it returns a truthy value and resolves with it; rejects after `timeout` ms
 * with the last value and the last error seen (a probe may throw while the condition is not met
 * yet). Every wait is bounded: use it for eventual outcomes instead of fixed sleeps.
 *
 * @example
 * const entry = await waitFor(() => consul.kv.get('config/app/mode'));
 */
export function waitFor<T>(
  probe: () => Promise<T> | T,
  options?: WaitForOptions,
): Promise<NonNullable<T>>;
/**
 * Polls `probe` until `accept(value)` holds and resolves with that value; rejects after `timeout`
 * ms with the last value and the last error seen.
 *
 * @example
 * const [entry] = await waitFor(() => consul.health.service('web'), (list) => list.length === 1);
 */
export function waitFor<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  options?: WaitForOptions,
): Promise<T>;
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  acceptOrOptions?: ((value: T) => boolean) | WaitForOptions,
  maybeOptions: WaitForOptions = {},
): Promise<T> {
  const accept = typeof acceptOrOptions === 'function' ? acceptOrOptions : Boolean;
  const options = typeof acceptOrOptions === 'object' ? acceptOrOptions : maybeOptions;
  const { timeout = 15_000, interval = 50, what = 'condition' } = options;
  const deadline = performance.now() + timeout;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() >= deadline) {
      const error = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`${what} not met within ${timeout} ms; last value ${describe(last)}${error}`);
    }
    await delay(interval);
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves with `'settled'` when `promise` settles (fulfilled or rejected), or `'pending'` after
 * `ms` milliseconds: proves that a call does not hang, without asserting how long it took.
 *
 * @example
 * expect(await settlesWithin(registration.deregister(), 10_000)).toBe('settled');
 */
export async function settlesWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<'settled' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    new Promise<'pending'>((resolve) => {
      timer = setTimeout(() => resolve('pending'), ms);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

let counter = 0;

/**
 * A name unique within the test run (`<prefix>-<n><random>`), safe as a Consul service name, ID,
 * or KV key segment: tests sharing one agent never see each other's data.
 */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}${Math.random().toString(36).slice(2, 8)}`;
}

function describe(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ??
      String(value)
    );
  } catch {
    return String(value);
  }
}
