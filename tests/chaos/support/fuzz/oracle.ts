import { ConsulOptionError, ConsulConfigParseError } from '@consulkit/core';
import { SECRET } from './files';

/**
 * The oracle's vocabulary. Every generated input is known in advance to be valid (and then the test
 * knows the value normalising must give) or invalid (and then it knows the option path the typed
 * error must name): a property never accepts "an error or whatever works".
 */

/** A valid input and what normalising it must give, by the test's own model. */
export interface ValidCase<I, E> {
  readonly input: I;
  readonly expected: E;
}

/** An invalid input and the option path its error must name, e.g. `retry.maxDelay`. */
export interface InvalidCase<I> {
  readonly input: I;
  readonly path: string;
}

/** Turns a valid input into a bad one; `path` is the option the error must name. */
export interface Mutation<I> {
  readonly path: string;
  /** The bad value, when there is one: shown in a counterexample (`apply` is not). */
  readonly bad?: unknown;
  apply(base: I): I;
}

/** What `fn` threw, or {@link NOTHING_THROWN}: lets a test assert on an error without a branch. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return NOTHING_THROWN;
}

/** What `promise` rejected with, or {@link NOTHING_THROWN} when it resolved. */
export function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => NOTHING_THROWN,
    (err: unknown) => err,
  );
}

/** Stands for "no error" in the comparisons above (printed as such when a test fails). */
export const NOTHING_THROWN = Object.freeze({ nothingThrown: true });

/**
 * Asserts that `err` is a {@link ConsulOptionError} naming exactly `path` (its `option` field, and
 * quoted in its message), and that the message shows none of `secrets`.
 */
export function expectConfigError(
  err: unknown,
  path: string,
  secrets: readonly string[] = [],
): void {
  expect(err).toBeInstanceOf(ConsulOptionError);
  expect(err).toMatchObject({ option: path, code: 'CONSUL_CONFIG' });
  const message = (err as Error).message;
  expect(message).toContain(`"${path}"`);
  for (const secret of secrets) expect(message).not.toContain(secret);
}

/** Deletes `undefined` fields: `{ a: undefined }` is "not given" for every validator here. */
export function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Asserts that `err` is a {@link ConsulConfigParseError} naming `key` and `mode`, quoting the key,
 * and never echoing {@link SECRET} (every invalid value family holds it somewhere).
 */
export function expectParseError(err: unknown, key: string, mode: string): void {
  expect(err).toBeInstanceOf(ConsulConfigParseError);
  expect(err).toMatchObject({ key, mode, code: 'CONSUL_CONFIG_PARSE' });
  const message = (err as Error).message;
  expect(message).toContain(`"${key}"`);
  expect(message).not.toContain(SECRET);
}

/**
 * Polls `condition` every 10 ms until it holds or `timeoutMs` passed, without failing: the caller
 * then asserts the same thing with `expect`, whose diff shows what differs.
 */
export async function settled(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
