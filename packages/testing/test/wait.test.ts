import { delay, settlesWithin, uniqueName, waitFor } from '../src';

describe('waitFor', () => {
  it('resolves with the first truthy value of the probe', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `ready after ${calls}` : undefined), {
      interval: 1,
    });
    expect(value).toBe('ready after 3');
  });

  it('resolves with the first value the predicate accepts, even a falsy one', async () => {
    const values = [3, 2, 1, 0];
    const value = await waitFor(
      () => values.shift() ?? -1,
      (n) => n === 0,
      { interval: 1 },
    );
    expect(value).toBe(0);
  });

  it('keeps probing through errors, and reports the last value and error on timeout', async () => {
    let calls = 0;
    const failing = waitFor(
      () => {
        calls += 1;
        if (calls % 2 === 0) throw new Error(`probe failed ${calls}`);
        return { calls };
      },
      (v) => v.calls < 0,
      { timeout: 60, interval: 5, what: 'negative calls' },
    );
    await expect(failing).rejects.toThrow(
      /^negative calls not met within 60 ms; last value \{"calls":\d+\} \(last error: Error: probe failed \d+\)$/,
    );
    expect(calls).toBeGreaterThan(2);
  });

  it('describes values JSON cannot show', async () => {
    await expect(
      waitFor(
        () => 1n,
        (v) => v === 2n,
        { timeout: 5, interval: 1 },
      ),
    ).rejects.toThrow(/last value "1n"/);
  });
});

describe('delay and uniqueName', () => {
  it('delay resolves after the timer', async () => {
    let done = false;
    const wait = delay(5).then(() => (done = true));
    expect(done).toBe(false);
    await wait;
    expect(done).toBe(true);
  });

  it('uniqueName gives distinct names usable as Consul service IDs', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('web')));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^web-[a-z0-9]+$/);
  });
});

describe('settlesWithin', () => {
  it("says 'settled' for a promise that fulfils or rejects in time", async () => {
    expect(
      await settlesWithin(
        delay(1).then(() => 'value'),
        5_000,
      ),
    ).toBe('settled');
    expect(await settlesWithin(Promise.reject(new Error('failed')), 5_000)).toBe('settled');
  });

  it("says 'pending' for a promise still pending after the time given", async () => {
    expect(await settlesWithin(new Promise<never>(() => undefined), 5)).toBe('pending');
  });
});
