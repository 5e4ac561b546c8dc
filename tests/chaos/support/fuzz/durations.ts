import fc from 'fast-check';

/**
 * Durations, known-valid and known-invalid, with the milliseconds they stand for. The model is Go's
 * `time.ParseDuration` restricted to what the options document (no sign, digits before any `.`):
 * a sum of `<amount><unit>` parts, or a non-negative number of milliseconds.
 */

/** Milliseconds per Go duration unit. */
const UNIT_MS = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Node's timer limit: a longer `setTimeout` fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration option as given, and its value in milliseconds. */
export interface DurationCase {
  readonly input: number | string;
  readonly ms: number;
}

const amount = fc.oneof(
  { weight: 3, arbitrary: fc.nat(999).map(String) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(99), fc.stringMatching(/^\d{1,3}$/))
      .map(([whole, fraction]) => `${whole}.${fraction}`),
  },
);
const unit = fc.constantFrom(...(Object.keys(UNIT_MS) as Unit[]));

/** `'1h2m'`, `'1.5s'`, `'250ms'`, `'1m1m'` (Go allows repeated units), sometimes padded. */
const goText: fc.Arbitrary<DurationCase> = fc
  .tuple(fc.array(fc.tuple(amount, unit), { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([parts, padded]) => {
    const text = parts.map(([a, u]) => a + u).join('');
    // Summed part by part, as any Go-duration parser does: the same float steps.
    const ms = parts.reduce((total, [a, u]) => total + Number(a) * UNIT_MS[u], 0);
    return { input: padded ? ` ${text} ` : text, ms };
  });

const millis: fc.Arbitrary<DurationCase> = fc
  .oneof(fc.nat(3_000_000_000), fc.double({ min: 0, max: 1e7, noNaN: true }))
  .map((n) => ({ input: n, ms: n }));

const zero: fc.Arbitrary<DurationCase> = fc.constantFrom(
  { input: '0', ms: 0 },
  { input: '0s', ms: 0 },
  { input: 0, ms: 0 },
);

/** A valid duration whose milliseconds satisfy `accept` (e.g. `ms >= 60_000`). */
export function durationWhere(accept: (ms: number) => boolean): fc.Arbitrary<DurationCase> {
  return fc
    .oneof({ weight: 4, arbitrary: goText }, { weight: 3, arbitrary: millis }, zero)
    .filter((c) => accept(c.ms) && !Object.is(c.ms, -0));
}

/** Things that are no duration at all: each must be refused naming the option. */
export const NOT_A_DURATION: readonly unknown[] = [
  '',
  '  ',
  '5 seconds',
  '1x',
  '-1s',
  '1e3s',
  's',
  '1h 2m',
  'NaN',
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -1,
  -0.5,
  true,
  null,
  {},
  [],
];

/** Valid durations above Node's timer limit: useless for anything that waits on a timer. */
export const BEYOND_TIMERS: readonly (string | number)[] = [
  '1000h',
  '596h31m24s',
  1e20,
  MAX_TIMER_MS + 1,
];

/**
 * The model's reading of a duration the generators above produced: a number is milliseconds, a
 * text is the sum of its `<amount><unit>` parts.
 */
export function modelMillis(input: unknown): number {
  if (typeof input === 'number') return input;
  if (typeof input !== 'string') throw new Error(`the model has no duration ${String(input)}`);
  const text = input.trim();
  if (text === '0') return 0;
  let total = 0;
  for (const [, a, u] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(a) * UNIT_MS[u as Unit];
  }
  return total;
}
