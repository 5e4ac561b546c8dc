import { ConsulOptionError } from './errors';

/** A duration: milliseconds as a number, or a Go-style string such as `'5s'`, `'1m30s'`, `'1500ms'`. */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/** Parses a Go duration string (`'1m30s'`) to milliseconds; `undefined` when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (!DURATION_RE.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART_RE)) {
    total += Number(amount) * (UNIT_MS[unit as string] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

/**
 * Converts a {@link Duration} option to milliseconds, throwing a {@link ConsulOptionError} that names
 * `option` when it is not a non-negative duration (`'5 seconds'` is rejected).
 */
export function toMillis(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const ms = parseGoDuration(value);
    if (ms !== undefined) return ms;
  }
  throw new ConsulOptionError(
    option,
    'a duration (milliseconds, or a string such as "5s", "1m30s", "250ms")',
    value,
  );
}

/**
 * The longest delay a Node timer honours (2^31 - 1 ms, about 24.8 days): a longer `setTimeout`
 * fires after 1 ms instead, with only a process warning.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Like {@link toMillis}, for a duration something waits on (a sleep, a timeout of our own): above
 * {@link MAX_TIMER_MS} it is refused naming `option`, since the wait would end after 1 ms.
 */
export function toTimerMillis(value: Duration, option: string): number {
  const ms = toMillis(value, option);
  if (ms > MAX_TIMER_MS) {
    throw new ConsulOptionError(
      option,
      `a duration of at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest Node timer)`,
      value,
    );
  }
  return ms;
}

/** Like {@link toMillis} but `undefined` stays `undefined`. */
export function optionalMillis(value: Duration | undefined, option: string): number | undefined {
  return value === undefined ? undefined : toMillis(value, option);
}

/**
 * Formats milliseconds the way Consul expects on the wire (Go duration with a unit). Sub-millisecond
 * positive values round up to `1ms`, since `0` would mean "use the server default".
 */
export function formatGoDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${Math.max(1, Math.ceil(ms))}ms`;
}
