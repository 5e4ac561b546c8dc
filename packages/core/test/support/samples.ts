import { delay } from '@consulkit/testing';

/** One answer of a probe: when it was sent and answered (`performance.now()`), and what it said. */
export interface Sample<T> {
  sentAt: number;
  answeredAt: number;
  value?: T;
  error?: unknown;
}

/**
 * Probes every `interval` ms until `done()` holds, at most `maxSamples` times, and resolves with
 * every answer. A probe that throws is recorded, not rethrown: the sampler runs beside the awaited
 * operation and must never leave a rejection nobody handles.
 *
 * Why both times: a server answered a sample somewhere between `sentAt` and `answeredAt`, which is
 * what turns samples into orderings ("the key was still free at some instant after `sentAt`").
 */
export async function sampleUntil<T>(
  probe: () => Promise<T>,
  done: () => boolean,
  { interval = 25, maxSamples = 2_000 }: { interval?: number; maxSamples?: number } = {},
): Promise<Array<Sample<T>>> {
  const samples: Array<Sample<T>> = [];
  while (!done() && samples.length < maxSamples) {
    const sentAt = performance.now();
    try {
      const value = await probe();
      samples.push({ sentAt, answeredAt: performance.now(), value });
    } catch (error) {
      samples.push({ sentAt, answeredAt: performance.now(), error });
    }
    await delay(interval);
  }
  return samples;
}
