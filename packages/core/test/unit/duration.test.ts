import { ConsulOptionError } from '../../src';
import { formatGoDuration, parseGoDuration, toMillis } from '../../src/adapter';
import { optionalMillis } from '../../src/duration';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['5s', 5_000],
    ['1m30s', 90_000],
    ['1.5s', 1_500],
    ['250ms', 250],
    ['1h', 3_600_000],
    ['2h45m', 9_900_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1000000ns', 1],
    [' 10s ', 10_000],
  ])('%j → %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '5', '30', '5 s', '5 seconds', '-1s', 's', '1d', '1h-5m', 'bogus'])(
    'rejects %j',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [10_000, '10s'],
    [90_000, '90s'],
    [60_000, '1m'],
    [3_600_000, '1h'],
    [5_400_000, '90m'],
    [86_400_000, '24h'],
    [1_500, '1500ms'],
    [0.2, '1ms'],
    [1.5, '2ms'],
  ])('%d ms → %j', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  it('round-trips through parseGoDuration', () => {
    for (const ms of [1, 999, 1_000, 61_000, 3_600_000, 86_400_000, 123_456]) {
      expect(parseGoDuration(formatGoDuration(ms))).toBe(ms);
    }
  });
});

describe('toMillis', () => {
  it('accepts numbers (ms) and Go strings', () => {
    expect(toMillis(250, 'timeout')).toBe(250);
    expect(toMillis(0, 'timeout')).toBe(0);
    expect(toMillis('2m', 'timeout')).toBe(120_000);
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY], ['10'], ['5 seconds'], [null], [{}]])(
    'rejects %p with a ConsulOptionError naming the option',
    (value) => {
      const attempt = () => toMillis(value as never, 'retry.maxDelay');
      expect(attempt).toThrow(ConsulOptionError);
      expect(attempt).toThrow(/retry\.maxDelay/);
    },
  );

  it('optionalMillis keeps undefined', () => {
    expect(optionalMillis(undefined, 'x')).toBeUndefined();
    expect(optionalMillis('1s', 'x')).toBe(1_000);
  });
});
