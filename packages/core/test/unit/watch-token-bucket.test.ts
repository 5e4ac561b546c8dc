import { TokenBucket } from '../../src/watch/token-bucket';

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('watch token bucket', () => {
  it('lets a burst of 2 through, then spaces calls by the interval', () => {
    const c = clock();
    const bucket = new TokenBucket({ burst: 2, interval: 1000, now: c.now });
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(1000);
    c.advance(1000); // the caller slept as told
    expect(bucket.reserve()).toBe(1000);
  });

  it('queues reservations: each waits for its own token', () => {
    const c = clock();
    const bucket = new TokenBucket({ burst: 1, interval: 500, now: c.now });
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(500);
    expect(bucket.reserve()).toBe(1000);
  });

  it('refills over time, never above the burst', () => {
    const c = clock();
    const bucket = new TokenBucket({ burst: 2, interval: 1000, now: c.now });
    bucket.reserve();
    bucket.reserve();
    c.advance(500);
    expect(bucket.available).toBeCloseTo(0.5);
    expect(bucket.reserve()).toBe(500);
    c.advance(60_000);
    expect(bucket.available).toBe(2);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBeGreaterThan(0);
  });

  it('bounds a churning loop to about one call per interval', () => {
    const c = clock();
    const bucket = new TokenBucket({ burst: 2, interval: 1000, now: c.now });
    let calls = 0;
    // Simulate 60 s of a result that changes on every call: each call returns instantly.
    const end = c.now() + 60_000;
    for (let i = 0; i < 10_000 && c.now() < end; i++) {
      c.advance(bucket.reserve());
      calls++;
    }
    expect(calls).toBeGreaterThanOrEqual(60);
    expect(calls).toBeLessThanOrEqual(62);
  });

  it('never delays with a zero interval', () => {
    const bucket = new TokenBucket({ burst: 2, interval: 0 });
    for (let i = 0; i < 10; i++) expect(bucket.reserve()).toBe(0);
  });
});
