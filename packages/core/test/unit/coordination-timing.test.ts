import {
  adoptTtl,
  lockDelayPause,
  monitorWait,
  remainingLockDelay,
  renewInterval,
  renewRetryDelay,
  sessionDeadline,
} from '../../src/coordination/timing';
import { livenessTtl } from '../../src/coordination/liveness-check';

describe('coordination timing rules', () => {
  it('renews at TTL/2 and lapses TTL after the last renewal was sent', () => {
    expect(renewInterval(15_000)).toBe(7_500);
    expect(sessionDeadline(1_000, 15_000)).toBe(16_000);
  });

  it('retries a failed renewal about every second, never past the deadline, then gives up', () => {
    expect(renewRetryDelay(0, 10_000, () => 0)).toBe(750);
    expect(renewRetryDelay(0, 10_000, () => 1)).toBe(1_250);
    expect(renewRetryDelay(9_800, 10_000, () => 0.5)).toBe(200);
    expect(renewRetryDelay(10_000, 10_000)).toBeUndefined();
    expect(renewRetryDelay(12_000, 10_000)).toBeUndefined();
  });

  it('adopts a larger TTL answered by the server, never a smaller or missing one', () => {
    expect(adoptTtl(15_000, 30_000)).toBe(30_000);
    expect(adoptTtl(15_000, 10_000)).toBe(15_000);
    expect(adoptTtl(15_000, undefined)).toBe(15_000);
  });

  it('keeps monitor reads well inside the TTL window', () => {
    expect(monitorWait(15_000)).toBe(5_000);
    expect(monitorWait(10_000)).toBeLessThan(10_000 / 2);
    expect(monitorWait(24 * 3_600_000)).toBe(300_000);
  });

  it('times the first retry to the end of a known lock-delay, then backs off up to 5 s', () => {
    const first = lockDelayPause(0, 1_800, () => 0);
    expect(first).toBe(1_825);
    // Unknown delay: jittered backoff, never zero, never above Go's 5 s retry time.
    for (let attempt = 0; attempt < 12; attempt++) {
      for (const r of [0, 0.5, 1]) {
        const pause = lockDelayPause(attempt, undefined, () => r);
        expect(pause).toBeGreaterThanOrEqual(125);
        expect(pause).toBeLessThanOrEqual(5_000);
      }
    }
    expect(lockDelayPause(0, undefined, () => 1)).toBe(250);
    expect(lockDelayPause(10, undefined, () => 1)).toBe(5_000);
    // A known delay only sizes the first retry; later ones back off.
    expect(lockDelayPause(1, 1_800, () => 1)).toBe(500);
  });

  it('computes what is left of a lock-delay from when the release was seen', () => {
    expect(remainingLockDelay(5_000, 1_000, 3_000)).toBe(3_000);
    expect(remainingLockDelay(5_000, 1_000, 9_000)).toBe(0);
    expect(remainingLockDelay(undefined, 1_000, 3_000)).toBeUndefined();
    expect(remainingLockDelay(5_000, undefined, 3_000)).toBeUndefined();
  });
});

describe('liveness check TTL', () => {
  it('is a tenth shorter than the session TTL, and at least 1 s shorter', () => {
    expect(livenessTtl(10_000)).toBe(9_000);
    expect(livenessTtl(15_000)).toBe(13_500);
    expect(livenessTtl(60_000)).toBe(54_000);
    expect(livenessTtl(24 * 3_600_000)).toBe(24 * 3_600_000 * 0.9);
    for (const ttl of [10_000, 12_345, 20_000, 3_600_000]) {
      expect(ttl - livenessTtl(ttl)).toBeGreaterThanOrEqual(1_000);
      expect(livenessTtl(ttl)).toBeGreaterThan(0);
    }
  });
});
