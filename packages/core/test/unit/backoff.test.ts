import { backoffDelay, sleep } from '../../src/internal/backoff';

describe('backoffDelay (full jitter with a floor)', () => {
  it('stays within [min/2, min(max, min·2^attempt)]', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(2_000, 100 * 2 ** attempt);
      for (const r of [0, 0.25, 0.5, 0.999999]) {
        const d = backoffDelay(attempt, 100, 2_000, () => r);
        expect(d).toBeGreaterThanOrEqual(50);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('grows exponentially and is capped at max', () => {
    const top = (attempt: number) => backoffDelay(attempt, 100, 2_000, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6].map(top)).toEqual([100, 200, 400, 800, 1_600, 2_000, 2_000]);
    expect(top(100)).toBe(2_000);
  });

  it('never goes below min/2 (no immediate retries)', () => {
    expect(backoffDelay(0, 100, 2_000, () => 0)).toBe(50);
    expect(backoffDelay(7, 100, 2_000, () => 0)).toBe(50);
  });

  it('spreads synchronized clients apart (jitter)', () => {
    const samples = Array.from({ length: 500 }, () => backoffDelay(5, 100, 2_000));
    const distinct = new Set(samples.map((d) => Math.round(d)));
    expect(distinct.size).toBeGreaterThan(200);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    // Uniform on [50, 2000]: mean 1025; allow wide slack for randomness.
    expect(mean).toBeGreaterThan(800);
    expect(mean).toBeLessThan(1_250);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...samples)).toBeLessThanOrEqual(2_000);
  });

  it('handles min == max and a zero minimum', () => {
    expect(backoffDelay(3, 500, 500, () => 0.3)).toBeGreaterThanOrEqual(250);
    expect(backoffDelay(3, 500, 500, () => 1)).toBe(500);
    expect(backoffDelay(3, 0, 0, () => 0.5)).toBe(0);
  });
});

describe('sleep', () => {
  it('rejects at once with the reason of an already-aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(sleep(10_000, controller.signal)).rejects.toThrow('stop');
  });

  it('rejects when the signal fires during the wait', async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort(new Error('later'));
    await expect(pending).rejects.toThrow('later');
  });

  it('resolves after the delay', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});
